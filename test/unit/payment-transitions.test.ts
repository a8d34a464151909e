// Goal: every pure decision function answers exactly as specified for every payment state; method: one literal state × operation table, looped, plus window and amount edge cases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY_MS } from '../../src/domain/clock.ts';
import type { RefusalReason } from '../../src/domain/refusals.ts';
import {
  CANCEL_WINDOW_MS,
  CAPTURE_WINDOW_MS,
  REFUND_WINDOW_MS,
  USER_ACTION_TIMEOUT_MS,
  decideApproval,
  decideCancel,
  decideCapture,
  decideRefund,
  decideTimeout,
  decideUserCancel,
  type Decision,
  type PaymentFacts,
} from '../../src/domain/payment.ts';
import { PAYMENT_STATES, type PaymentState } from '../../src/domain/payment-states.ts';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const RESERVED_AT = T0 + 30_000;
const EXPIRES_AT = T0 + USER_ACTION_TIMEOUT_MS;
/** When the table's operations run: inside the 5-minute user window and inside every merchant window. */
const NOW = T0 + 60_000;

function facts(state: PaymentState, money: Partial<PaymentFacts> = {}): PaymentFacts {
  const everReserved = state === 'reserved' || state === 'captured' || state === 'voided';
  return {
    state,
    amountOre: 10_000,
    reservedOre: 0,
    capturedOre: 0,
    refundedOre: 0,
    releasedOre: 0,
    reservedAtMs: everReserved ? RESERVED_AT : null,
    expiresAtMs: EXPIRES_AT,
    ...money,
  };
}

/** One payment per situation that matters; every state of PAYMENT_STATES has at least one (asserted below). */
const FIXTURES = {
  initiated: facts('initiated'),
  reserved: facts('reserved', { reservedOre: 10_000 }),
  'reserved, 4000 captured': facts('reserved', { reservedOre: 10_000, capturedOre: 4_000 }),
  'reserved, 4000 captured, 1500 refunded': facts('reserved', { reservedOre: 10_000, capturedOre: 4_000, refundedOre: 1_500 }),
  captured: facts('captured', { reservedOre: 10_000, capturedOre: 10_000 }),
  'captured, fully refunded': facts('captured', { reservedOre: 10_000, capturedOre: 10_000, refundedOre: 10_000 }),
  'captured 4000, 6000 released, 1000 refunded': facts('captured', {
    reservedOre: 10_000,
    capturedOre: 4_000,
    releasedOre: 6_000,
    refundedOre: 1_000,
  }),
  voided: facts('voided', { reservedOre: 10_000, releasedOre: 10_000 }),
  cancelled: facts('cancelled'),
  rejected: facts('rejected'),
  failed: facts('failed'),
} satisfies Record<string, PaymentFacts>;
type FixtureName = keyof typeof FIXTURES;

type Outcome = { kind: string; amountOre: number } | { error: RefusalReason };
type AnyDecision = Decision<{ amountOre: number; kind?: string }>;

/** Every operation of the decision functions, with the arguments that make the cases differ. */
/** A timeout where the user never reached the issuer (the issuer-pending case is tested on its own). */
const NO_ISSUER_WAIT = { pending: false, captureType: 'reserve' } as const;

const OPERATIONS = {
  'capture everything (null)': (p: PaymentFacts) => withKind('capture', decideCapture(p, null, NOW)),
  'capture 1000': (p: PaymentFacts) => withKind('capture', decideCapture(p, 1_000, NOW)),
  'capture 20000 (more than reserved)': (p: PaymentFacts) => withKind('capture', decideCapture(p, 20_000, NOW)),
  'refund everything (null)': (p: PaymentFacts) => withKind('refund', decideRefund(p, null, NOW)),
  'refund 1000': (p: PaymentFacts) => withKind('refund', decideRefund(p, 1_000, NOW)),
  'refund 20000 (more than captured)': (p: PaymentFacts) => withKind('refund', decideRefund(p, 20_000, NOW)),
  cancel: (p: PaymentFacts) => decideCancel(p, false, NOW),
  'cancel releasing remaining funds': (p: PaymentFacts) => decideCancel(p, true, NOW),
  'approve (reserve unit)': (p: PaymentFacts) => decideApproval(p, 'reserve', NOW),
  'approve (direct-capture unit)': (p: PaymentFacts) => decideApproval(p, 'direct', NOW),
  'approve after the user window': (p: PaymentFacts) => decideApproval(p, 'reserve', EXPIRES_AT),
  'user cancel': (p: PaymentFacts) => decideUserCancel(p),
  'timeout before expiry': (p: PaymentFacts) => decideTimeout(p, EXPIRES_AT - 1, NO_ISSUER_WAIT),
  'timeout at expiry': (p: PaymentFacts) => decideTimeout(p, EXPIRES_AT, NO_ISSUER_WAIT),
} satisfies Record<string, (p: PaymentFacts) => AnyDecision>;
type OperationName = keyof typeof OPERATIONS;

function withKind(kind: string, decision: Decision<{ amountOre: number }>): AnyDecision {
  return decision.ok ? { ok: true, kind, amountOre: decision.amountOre } : decision;
}

function outcomeOf(decision: AnyDecision): Outcome {
  return decision.ok ? { kind: decision.kind ?? '?', amountOre: decision.amountOre } : { error: decision.error };
}

const ok = (kind: string, amountOre: number): Outcome => ({ kind, amountOre });
const no = (error: RefusalReason): Outcome => ({ error });

/** 62 not reserved, 91 not allowed, 92 already processed, 61/71 amount, 72/73 refund of reserved/cancelled, 51 cancel after capture. */
const EXPECTED: Record<FixtureName, Record<OperationName, Outcome>> = {
  initiated: {
    'capture everything (null)': no('capture_not_reserved'),
    'capture 1000': no('capture_not_reserved'),
    'capture 20000 (more than reserved)': no('capture_not_reserved'),
    'refund everything (null)': no('refund_of_reserved'),
    'refund 1000': no('refund_of_reserved'),
    'refund 20000 (more than captured)': no('refund_of_reserved'),
    cancel: ok('merchant_cancel', 10_000),
    'cancel releasing remaining funds': ok('merchant_cancel', 10_000),
    'approve (reserve unit)': ok('reserve', 10_000),
    'approve (direct-capture unit)': ok('sale', 10_000),
    'approve after the user window': no('transaction_not_allowed'),
    'user cancel': ok('user_cancel', 10_000),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': ok('timeout', 10_000),
  },
  reserved: {
    'capture everything (null)': ok('capture', 10_000),
    'capture 1000': ok('capture', 1_000),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': no('refund_of_reserved'),
    'refund 1000': no('refund_of_reserved'),
    'refund 20000 (more than captured)': no('refund_of_reserved'),
    cancel: ok('void', 10_000),
    'cancel releasing remaining funds': ok('void', 10_000),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  'reserved, 4000 captured': {
    'capture everything (null)': ok('capture', 6_000),
    'capture 1000': ok('capture', 1_000),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': ok('refund', 4_000),
    'refund 1000': ok('refund', 1_000),
    'refund 20000 (more than captured)': no('refund_exceeds_captured'),
    cancel: no('cancel_after_capture'),
    'cancel releasing remaining funds': ok('release', 6_000),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  'reserved, 4000 captured, 1500 refunded': {
    'capture everything (null)': ok('capture', 6_000),
    'capture 1000': ok('capture', 1_000),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': ok('refund', 2_500),
    'refund 1000': ok('refund', 1_000),
    'refund 20000 (more than captured)': no('refund_exceeds_captured'),
    cancel: no('cancel_after_capture'),
    'cancel releasing remaining funds': ok('release', 6_000),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  captured: {
    'capture everything (null)': no('capture_exceeds_reserved'),
    'capture 1000': no('capture_exceeds_reserved'),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': ok('refund', 10_000),
    'refund 1000': ok('refund', 1_000),
    'refund 20000 (more than captured)': no('refund_exceeds_captured'),
    cancel: no('cancel_after_capture'),
    'cancel releasing remaining funds': no('cancel_after_capture'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  'captured, fully refunded': {
    'capture everything (null)': no('capture_exceeds_reserved'),
    'capture 1000': no('capture_exceeds_reserved'),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': no('refund_exceeds_captured'),
    'refund 1000': no('refund_exceeds_captured'),
    'refund 20000 (more than captured)': no('refund_exceeds_captured'),
    cancel: no('cancel_after_capture'),
    'cancel releasing remaining funds': no('cancel_after_capture'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  'captured 4000, 6000 released, 1000 refunded': {
    'capture everything (null)': no('capture_exceeds_reserved'),
    'capture 1000': no('capture_exceeds_reserved'),
    'capture 20000 (more than reserved)': no('capture_exceeds_reserved'),
    'refund everything (null)': ok('refund', 3_000),
    'refund 1000': ok('refund', 1_000),
    'refund 20000 (more than captured)': no('refund_exceeds_captured'),
    cancel: no('cancel_after_capture'),
    'cancel releasing remaining funds': no('cancel_after_capture'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  voided: {
    'capture everything (null)': no('transaction_not_allowed'),
    'capture 1000': no('transaction_not_allowed'),
    'capture 20000 (more than reserved)': no('transaction_not_allowed'),
    'refund everything (null)': no('refund_of_cancelled'),
    'refund 1000': no('refund_of_cancelled'),
    'refund 20000 (more than captured)': no('refund_of_cancelled'),
    cancel: no('already_processed'),
    'cancel releasing remaining funds': no('already_processed'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  cancelled: {
    'capture everything (null)': no('transaction_not_allowed'),
    'capture 1000': no('transaction_not_allowed'),
    'capture 20000 (more than reserved)': no('transaction_not_allowed'),
    'refund everything (null)': no('refund_of_cancelled'),
    'refund 1000': no('refund_of_cancelled'),
    'refund 20000 (more than captured)': no('refund_of_cancelled'),
    cancel: no('already_processed'),
    'cancel releasing remaining funds': no('already_processed'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  rejected: {
    'capture everything (null)': no('capture_not_reserved'),
    'capture 1000': no('capture_not_reserved'),
    'capture 20000 (more than reserved)': no('capture_not_reserved'),
    'refund everything (null)': no('refund_of_cancelled'),
    'refund 1000': no('refund_of_cancelled'),
    'refund 20000 (more than captured)': no('refund_of_cancelled'),
    cancel: no('transaction_not_allowed'),
    'cancel releasing remaining funds': no('transaction_not_allowed'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
  failed: {
    'capture everything (null)': no('capture_not_reserved'),
    'capture 1000': no('capture_not_reserved'),
    'capture 20000 (more than reserved)': no('capture_not_reserved'),
    'refund everything (null)': no('refund_of_cancelled'),
    'refund 1000': no('refund_of_cancelled'),
    'refund 20000 (more than captured)': no('refund_of_cancelled'),
    cancel: no('transaction_not_allowed'),
    'cancel releasing remaining funds': no('transaction_not_allowed'),
    'approve (reserve unit)': no('already_processed'),
    'approve (direct-capture unit)': no('already_processed'),
    'approve after the user window': no('already_processed'),
    'user cancel': no('already_processed'),
    'timeout before expiry': no('already_processed'),
    'timeout at expiry': no('already_processed'),
  },
};

describe('the state × operation table', () => {
  test('covers every payment state, every fixture and every operation', () => {
    const fixtureStates = new Set(Object.values(FIXTURES).map((p) => p.state));
    assert.deepEqual([...fixtureStates].sort(), [...PAYMENT_STATES].sort(), 'every state in PAYMENT_STATES has a fixture');
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(FIXTURES).sort(), 'every fixture has a row');
    const operations = Object.keys(OPERATIONS).sort();
    for (const [fixture, row] of Object.entries(EXPECTED)) {
      assert.deepEqual(Object.keys(row).sort(), operations, `row ${fixture} names every operation exactly once`);
    }
  });

  for (const fixture of Object.keys(FIXTURES) as FixtureName[]) {
    for (const operation of Object.keys(OPERATIONS) as OperationName[]) {
      const expected = EXPECTED[fixture][operation];
      const verdict = 'error' in expected ? `is refused with ${expected.error}` : `gives ${expected.kind} of ${expected.amountOre}`;
      test(`${operation} on a ${fixture} payment ${verdict}`, () => {
        const payment = FIXTURES[fixture];
        const before = structuredClone(payment);
        assert.deepEqual(outcomeOf(OPERATIONS[operation](payment)), expected);
        assert.deepEqual(payment, before, 'decisions are pure: the facts are not changed');
      });
    }
  }
});

describe('time windows', () => {
  const reserved = FIXTURES.reserved;
  const captured = FIXTURES.captured;
  const partlyCaptured = FIXTURES['reserved, 4000 captured'];

  test('capture is allowed exactly 180 days after reservation', () => {
    assert.deepEqual(decideCapture(reserved, 1_000, RESERVED_AT + CAPTURE_WINDOW_MS), { ok: true, amountOre: 1_000 });
    assert.equal(CAPTURE_WINDOW_MS, 180 * DAY_MS);
  });

  test('capture more than 180 days after reservation is refused with 98 (capture_window_passed)', () => {
    assert.deepEqual(decideCapture(reserved, 1_000, RESERVED_AT + CAPTURE_WINDOW_MS + 1), { ok: false, error: 'capture_window_passed' });
    assert.deepEqual(decideCapture(reserved, null, RESERVED_AT + 400 * DAY_MS), { ok: false, error: 'capture_window_passed' });
  });

  test('the capture window is checked after the state and before the amount', () => {
    const late = RESERVED_AT + CAPTURE_WINDOW_MS + 1;
    assert.deepEqual(decideCapture(FIXTURES.voided, 1_000, late), { ok: false, error: 'transaction_not_allowed' });
    assert.deepEqual(decideCapture(captured, 1_000, late), { ok: false, error: 'capture_window_passed' });
    assert.deepEqual(decideCapture(reserved, 20_000, late), { ok: false, error: 'capture_window_passed' });
  });

  test('refund is allowed exactly 365 days after reservation', () => {
    assert.deepEqual(decideRefund(captured, 1_000, RESERVED_AT + REFUND_WINDOW_MS), { ok: true, amountOre: 1_000 });
    assert.equal(REFUND_WINDOW_MS, 365 * DAY_MS);
  });

  test('refund more than 365 days after reservation is refused with 95 (refund_window_passed)', () => {
    const late = RESERVED_AT + REFUND_WINDOW_MS + 1;
    assert.deepEqual(decideRefund(captured, 1_000, late), { ok: false, error: 'refund_window_passed' });
    assert.deepEqual(decideRefund(partlyCaptured, null, late), { ok: false, error: 'refund_window_passed' });
    assert.deepEqual(decideRefund(captured, 20_000, late), { ok: false, error: 'refund_window_passed' }, 'the window before the amount');
  });

  test('refund between 180 and 365 days after reservation still works', () => {
    assert.deepEqual(decideRefund(captured, null, RESERVED_AT + 200 * DAY_MS), { ok: true, amountOre: 10_000 });
  });

  test('cancel of a reserved payment exactly 180 days after reservation voids it', () => {
    assert.deepEqual(decideCancel(reserved, false, RESERVED_AT + CANCEL_WINDOW_MS), { ok: true, kind: 'void', amountOre: 10_000 });
  });

  test('cancel of a reserved payment more than 180 days after reservation is refused with 52 (cancel_failed)', () => {
    const late = RESERVED_AT + CANCEL_WINDOW_MS + 1;
    assert.deepEqual(decideCancel(reserved, false, late), { ok: false, error: 'cancel_failed' });
    assert.deepEqual(decideCancel(reserved, true, late), { ok: false, error: 'cancel_failed' });
    assert.deepEqual(decideCancel(partlyCaptured, true, late), { ok: false, error: 'cancel_failed' });
    assert.deepEqual(decideCancel(partlyCaptured, false, late), { ok: false, error: 'cancel_failed' }, 'the window before 51');
  });

  test('cancel of an initiated payment has no window', () => {
    assert.deepEqual(decideCancel(FIXTURES.initiated, false, T0 + 400 * DAY_MS), { ok: true, kind: 'merchant_cancel', amountOre: 10_000 });
  });

  test('approval is allowed until the last millisecond before expiry and refused with 91 from expiry on', () => {
    const initiated = FIXTURES.initiated;
    assert.deepEqual(decideApproval(initiated, 'reserve', EXPIRES_AT - 1), { ok: true, kind: 'reserve', amountOre: 10_000 });
    assert.deepEqual(decideApproval(initiated, 'reserve', EXPIRES_AT), { ok: false, error: 'transaction_not_allowed' });
    assert.deepEqual(decideApproval(initiated, 'direct', EXPIRES_AT + DAY_MS), { ok: false, error: 'transaction_not_allowed' });
  });

  test('timeout fires at expiry and not a millisecond earlier', () => {
    const initiated = FIXTURES.initiated;
    assert.equal(EXPIRES_AT - T0, 5 * 60_000);
    assert.deepEqual(decideTimeout(initiated, EXPIRES_AT - 1, NO_ISSUER_WAIT), { ok: false, error: 'already_processed' });
    assert.deepEqual(decideTimeout(initiated, EXPIRES_AT, NO_ISSUER_WAIT), { ok: true, kind: 'timeout', amountOre: 10_000 });
    assert.deepEqual(decideTimeout(initiated, EXPIRES_AT + DAY_MS, NO_ISSUER_WAIT), { ok: true, kind: 'timeout', amountOre: 10_000 });
  });

  test('when the issuer never answered, the window ends in a failed reservation (45), not a timeout', () => {
    const initiated = FIXTURES.initiated;
    assert.deepEqual(decideTimeout(initiated, EXPIRES_AT, { pending: true, captureType: 'reserve' }), {
      ok: true,
      kind: 'reserve_failed',
      amountOre: 10_000,
      errorKey: 'user_did_not_act',
    });
    assert.deepEqual(decideTimeout(initiated, EXPIRES_AT, { pending: true, captureType: 'direct' }), {
      ok: true,
      kind: 'sale_failed',
      amountOre: 10_000,
      errorKey: 'user_did_not_act',
    });
  });

  test('a user cancel is accepted regardless of time while the payment is initiated', () => {
    assert.deepEqual(decideUserCancel(FIXTURES.initiated), { ok: true, kind: 'user_cancel', amountOre: 10_000 });
  });
});

describe('amounts', () => {
  const reserved = FIXTURES.reserved;
  const partlyCaptured = FIXTURES['reserved, 4000 captured'];

  test('a partial capture takes exactly the requested amount', () => {
    assert.deepEqual(decideCapture(reserved, 2_500, NOW), { ok: true, amountOre: 2_500 });
  });

  test('capture of exactly the remaining reservation is accepted', () => {
    assert.deepEqual(decideCapture(reserved, 10_000, NOW), { ok: true, amountOre: 10_000 });
    assert.deepEqual(decideCapture(partlyCaptured, 6_000, NOW), { ok: true, amountOre: 6_000 });
  });

  test('capture beyond the remaining reservation is refused with 61', () => {
    assert.deepEqual(decideCapture(reserved, 10_001, NOW), { ok: false, error: 'capture_exceeds_reserved' });
    assert.deepEqual(decideCapture(partlyCaptured, 6_001, NOW), { ok: false, error: 'capture_exceeds_reserved' });
  });

  test('a null capture amount means everything still reserved', () => {
    assert.deepEqual(decideCapture(reserved, null, NOW), { ok: true, amountOre: 10_000 });
    assert.deepEqual(decideCapture(partlyCaptured, null, NOW), { ok: true, amountOre: 6_000 });
  });

  test('the remaining reservation excludes released funds', () => {
    // Not reachable through the API (a release resolves the reservation), but the arithmetic is reserved − captured − released.
    const odd = facts('reserved', { reservedOre: 10_000, capturedOre: 2_000, releasedOre: 3_000 });
    assert.deepEqual(decideCapture(odd, null, NOW), { ok: true, amountOre: 5_000 });
    assert.deepEqual(decideCapture(odd, 5_001, NOW), { ok: false, error: 'capture_exceeds_reserved' });
  });

  test('a zero capture amount reaching the domain is refused with 61', () => {
    assert.deepEqual(decideCapture(reserved, 0, NOW), { ok: false, error: 'capture_exceeds_reserved' });
  });

  test('refund up to captured − refunded is accepted', () => {
    const partlyRefunded = FIXTURES['reserved, 4000 captured, 1500 refunded'];
    assert.deepEqual(decideRefund(partlyRefunded, 2_500, NOW), { ok: true, amountOre: 2_500 });
    assert.deepEqual(decideRefund(partlyRefunded, null, NOW), { ok: true, amountOre: 2_500 });
  });

  test('refund beyond captured − refunded is refused with 71', () => {
    const partlyRefunded = FIXTURES['reserved, 4000 captured, 1500 refunded'];
    assert.deepEqual(decideRefund(partlyRefunded, 2_501, NOW), { ok: false, error: 'refund_exceeds_captured' });
    assert.deepEqual(decideRefund(FIXTURES.captured, 10_001, NOW), { ok: false, error: 'refund_exceeds_captured' });
  });

  test('a zero refund amount reaching the domain is refused with 71', () => {
    assert.deepEqual(decideRefund(FIXTURES.captured, 0, NOW), { ok: false, error: 'refund_exceeds_captured' });
  });

  test('cancel with release gives back exactly the uncaptured remainder', () => {
    const partly = facts('reserved', { reservedOre: 25_000, capturedOre: 7_300, refundedOre: 300 });
    assert.deepEqual(decideCancel(partly, true, NOW), { ok: true, kind: 'release', amountOre: 17_700 });
  });

  test('approval reserves or sells the initiated amount', () => {
    const odd = facts('initiated', { amountOre: 12_345 });
    assert.deepEqual(decideApproval(odd, 'reserve', NOW), { ok: true, kind: 'reserve', amountOre: 12_345 });
    assert.deepEqual(decideApproval(odd, 'direct', NOW), { ok: true, kind: 'sale', amountOre: 12_345 });
  });
});
