// Goal: landing tokens sort by creation (the index that finds a payment by its token grows at its right edge) and
// stay unguessable and URL-safe. Method: tokens made at increasing times, and many at the same time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newLandingToken } from '../../src/core/payments/landing-token.ts';

test('a token made later sorts after one made earlier, across hex digit boundaries', () => {
  const times = [0, 9, 10, 15, 16, 255, 256, 1_767_607_200_000, 1_767_607_200_001, 1_767_693_600_000, 2 ** 47];
  const tokens = times.map(newLandingToken);
  assert.deepEqual([...tokens].sort(), tokens);
});

test('tokens made in the same millisecond differ in 192 random bits, in base64url without "="', () => {
  const tokens = Array.from({ length: 1000 }, () => newLandingToken(1_767_607_200_000));
  assert.equal(new Set(tokens).size, tokens.length);
  for (const token of tokens) assert.match(token, /^[0-9a-f]{12}[A-Za-z0-9_-]{32}$/);
});
