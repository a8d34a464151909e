// Property: isoTimestamp(ms) is exactly `new Date(ms).toISOString()` for every millisecond Kasse can hold, and for
// anything outside (negative, past year 9999, fractions) it is Date's own answer.
// Method: fast-check over the whole range, its edges, day and year boundaries (leap days included), and odd inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DAY_MS, isoTimestamp } from '../../src/domain/clock.ts';

const LAST_MS = 253_402_300_799_999;

test('every millisecond from 1970 to 9999 formats as Date formats it', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: LAST_MS }), (ms) => isoTimestamp(ms) === new Date(ms).toISOString()),
    { numRuns: 200_000 },
  );
});

test('day boundaries, leap days and century years format as Date formats them', () => {
  const edges = fc.tuple(fc.integer({ min: 0, max: Math.floor(LAST_MS / DAY_MS) }), fc.constantFrom(0, 1, 999, DAY_MS - 1));
  fc.assert(fc.property(edges, ([day, offset]) => {
    const ms = Math.min(LAST_MS, day * DAY_MS + offset);
    return isoTimestamp(ms) === new Date(ms).toISOString();
  }));
  for (const iso of ['1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2100-03-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z', '2026-12-03T07:40:38.010Z', '9999-12-31T23:59:59.999Z']) {
    assert.equal(isoTimestamp(Date.parse(iso)), iso);
  }
});

test('outside the range, Date answers (and throws where Date throws)', () => {
  for (const ms of [-1, -86_400_000, LAST_MS + 1, 1.5]) assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
  assert.throws(() => isoTimestamp(Number.NaN), RangeError);
});
