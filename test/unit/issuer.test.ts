// Goal: the issuer's decision covers every outcome in the order a bank checks them. Method: table of card and
// user situations and every Vipps test amount, interactive (app) and not (force approve).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFUSAL_ERROR, TEST_AMOUNTS, decideReservation, isExpired, type CardFacts, type ReservationRequest } from '../../src/domain/issuer.ts';

const NOW = Date.parse('2026-01-05T10:00:00Z');
const goodCard: CardFacts = { state: 'active', expiryMonth: '2030-12', availableOre: 1_000_000, maxAmountOre: null };

function request(overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return {
    amountOre: 10_000,
    card: goodCard,
    today: '2026-01-05',
    nowMs: NOW,
    stepUpLimitOre: null,
    passedBankId: false,
    passedSca: false,
    interactive: true,
    ...overrides,
  };
}

test('a valid card with funds is approved', () => {
  assert.deepEqual(decideReservation(request()), { outcome: 'approve' });
});

test('card and funds refusals, each with its Payment error', () => {
  const cases: Array<[Partial<ReservationRequest>, string, string]> = [
    [{ card: null }, 'no_valid_card', 'no_valid_card'],
    [{ card: { ...goodCard, state: 'blocked' } }, 'blocked_card', 'refused_by_issuer'],
    [{ card: { ...goodCard, state: 'replaced' } }, 'replaced_card', 'refused_by_issuer'],
    [{ card: { ...goodCard, expiryMonth: '2025-12' } }, 'expired_card', 'expired_card'],
    [{ card: { ...goodCard, maxAmountOre: 5_000 } }, 'invalid_amount', 'invalid_amount_at_issuer'],
    [{ card: { ...goodCard, availableOre: 9_999 } }, 'insufficient_funds', 'refused_by_issuer'],
  ];
  for (const [overrides, refusal, error] of cases) {
    assert.deepEqual(decideReservation(request(overrides)), { outcome: 'refuse', refusal }, refusal);
    assert.equal(REFUSAL_ERROR[refusal as keyof typeof REFUSAL_ERROR], error);
  }
});

test('a card is valid through the last day of its expiry month', () => {
  assert.equal(isExpired('2026-01', '2026-01-31'), false);
  assert.equal(isExpired('2026-01', '2026-02-01'), true);
});

test('above the step-up limit the user must pass BankID first, then the funds decide', () => {
  assert.deepEqual(decideReservation(request({ stepUpLimitOre: 5_000 })), { outcome: 'challenge', challenge: 'bankid' });
  assert.deepEqual(decideReservation(request({ stepUpLimitOre: 5_000, passedBankId: true })), { outcome: 'approve' });
  assert.deepEqual(decideReservation(request({ stepUpLimitOre: 10_000 })), { outcome: 'approve' });
});

test('every test amount forces its outcome for any user', () => {
  const expected = new Map([
    [151, { outcome: 'refuse', refusal: 'insufficient_funds' }],
    [182, { outcome: 'refuse', refusal: 'refused_by_issuer' }],
    [183, { outcome: 'refuse', refusal: 'suspected_fraud' }],
    [184, { outcome: 'refuse', refusal: 'withdrawal_limit' }],
    [186, { outcome: 'refuse', refusal: 'expired_card' }],
    [187, { outcome: 'refuse', refusal: 'invalid_card' }],
    [197, { outcome: 'refuse', refusal: 'three_ds_denied' }],
    [201, { outcome: 'unknown', untilMs: NOW + 3_600_000 }],
    [202, { outcome: 'challenge', challenge: 'sca' }],
  ]);
  assert.deepEqual([...TEST_AMOUNTS.keys()].sort(), [...expected.keys()].sort());
  for (const [amountOre, outcome] of expected) assert.deepEqual(decideReservation(request({ amountOre })), outcome, String(amountOre));
});

test('SCA required: the app asks for the challenge, force approve (nobody to answer) is refused', () => {
  assert.deepEqual(decideReservation(request({ amountOre: 202, passedSca: true })), { outcome: 'approve' });
  assert.deepEqual(decideReservation(request({ amountOre: 202, interactive: false })), { outcome: 'refuse', refusal: 'sca_required' });
});
