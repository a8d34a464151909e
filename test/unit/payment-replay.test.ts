// Goal: folding the operation log (applyEvent/replay) reproduces the payment and refuses what cannot happen; method: worked examples, a legality table over TRANSITIONS, and a fast-check fold of accepted decisions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AssertionError } from '../../src/domain/assert.ts';
import {
  applyEvent,
  checkMoneyInvariants,
  decideApproval,
  decideCancel,
  decideCapture,
  decideRefund,
  decideTimeout,
  decideUserCancel,
  remainingToCaptureOre,
  remainingToRefundOre,
  replay,
  type Decision,
  type PaymentEvent,
  type PaymentFacts,
  type PaymentMoney,
} from '../../src/domain/payment.ts';
import { OPERATION_KINDS, PAYMENT_STATES, TRANSITIONS, type OperationKind, type PaymentState } from '../../src/domain/payment-states.ts';

const ev = (kind: OperationKind, amountOre: number): PaymentEvent => ({ kind, amountOre });

function money(state: PaymentState, amounts: Partial<PaymentMoney> = {}): PaymentMoney {
  return { state, amountOre: 10_000, reservedOre: 0, capturedOre: 0, refundedOre: 0, releasedOre: 0, ...amounts };
}

describe('replay: worked examples', () => {
  test('an empty log folds to no payment', () => {
    assert.equal(replay([]), null);
  });

  test('initiate starts an initiated payment holding no money', () => {
    assert.deepEqual(replay([ev('initiate', 10_000)]), money('initiated'));
  });

  test('reserve then two partial captures resolve the reservation into captured', () => {
    const log = [ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000)];
    assert.deepEqual(replay(log), money('reserved', { reservedOre: 10_000, capturedOre: 4_000 }));
    assert.deepEqual(replay([...log, ev('capture', 6_000)]), money('captured', { reservedOre: 10_000, capturedOre: 10_000 }));
  });

  test('a refund after a partial capture keeps the payment reserved', () => {
    const log = [ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000), ev('refund', 1_500)];
    assert.deepEqual(replay(log), money('reserved', { reservedOre: 10_000, capturedOre: 4_000, refundedOre: 1_500 }));
  });

  test('release after a partial capture resolves the reservation into captured', () => {
    const log = [ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000), ev('release', 6_000), ev('refund', 4_000)];
    assert.deepEqual(
      replay(log),
      money('captured', { reservedOre: 10_000, capturedOre: 4_000, releasedOre: 6_000, refundedOre: 4_000 }),
    );
  });

  test('void of an untouched reservation releases all of it', () => {
    assert.deepEqual(
      replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('void', 10_000)]),
      money('voided', { reservedOre: 10_000, releasedOre: 10_000 }),
    );
  });

  test('a sale reserves and captures the whole amount at once', () => {
    assert.deepEqual(
      replay([ev('initiate', 10_000), ev('sale', 10_000), ev('refund', 10_000)]),
      money('captured', { reservedOre: 10_000, capturedOre: 10_000, refundedOre: 10_000 }),
    );
  });

  test('merchant cancel, user cancel, timeout and failed approvals end with no money held', () => {
    const start = ev('initiate', 10_000);
    assert.deepEqual(replay([start, ev('merchant_cancel', 10_000)]), money('cancelled'));
    assert.deepEqual(replay([start, ev('user_cancel', 10_000)]), money('cancelled'));
    assert.deepEqual(replay([start, ev('timeout', 10_000)]), money('rejected'));
    assert.deepEqual(replay([start, ev('reserve_failed', 10_000)]), money('failed'));
    assert.deepEqual(replay([start, ev('sale_failed', 10_000)]), money('failed'));
  });

  test('applyEvent does not change the payment it is given', () => {
    const before = money('reserved', { reservedOre: 10_000 });
    const copy = structuredClone(before);
    applyEvent(before, ev('capture', 1_000));
    assert.deepEqual(before, copy);
  });
});

describe('replay: what cannot happen throws AssertionError', () => {
  test('an operation before initiate throws', () => {
    assert.throws(() => replay([ev('reserve', 10_000)]), AssertionError);
    assert.throws(() => applyEvent(null, ev('capture', 100)), AssertionError);
  });

  test('a second initiate throws', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('initiate', 10_000)]), AssertionError);
  });

  test('capturing more than the reservation throws', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 10_001)]), AssertionError);
  });

  test('refunding more than was captured throws', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000), ev('refund', 4_001)]), AssertionError);
  });

  test('void after a capture throws (the voided state holds no capture)', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000), ev('void', 6_000)]), AssertionError);
  });

  test('a release of less than the remainder throws (captured must resolve the reservation)', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 4_000), ev('release', 5_000)]), AssertionError);
  });

  test('capture after the reservation is resolved throws', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', 10_000), ev('capture', 100)]), AssertionError);
  });

  test('a negative amount throws', () => {
    assert.throws(() => replay([ev('initiate', 10_000), ev('reserve', 10_000), ev('capture', -100)]), AssertionError);
  });

  /** A valid payment in every state, to try every kind on. */
  const IN_STATE: Record<PaymentState, PaymentMoney> = {
    initiated: money('initiated'),
    reserved: money('reserved', { reservedOre: 10_000, capturedOre: 4_000 }),
    captured: money('captured', { reservedOre: 10_000, capturedOre: 10_000 }),
    voided: money('voided', { reservedOre: 10_000, releasedOre: 10_000 }),
    cancelled: money('cancelled'),
    rejected: money('rejected'),
    failed: money('failed'),
  };
  /** An amount each kind may legitimately carry from the payment above when the transition is allowed. */
  const AMOUNT_FROM: Record<Exclude<OperationKind, 'initiate'>, (p: PaymentMoney) => number> = {
    reserve: (p) => p.amountOre,
    reserve_failed: (p) => p.amountOre,
    sale: (p) => p.amountOre,
    sale_failed: (p) => p.amountOre,
    capture: () => 1_000,
    capture_failed: () => 1_000,
    refund: () => 1_000,
    merchant_cancel: (p) => p.amountOre,
    user_cancel: (p) => p.amountOre,
    timeout: (p) => p.amountOre,
    void: (p) => p.reservedOre - p.capturedOre - p.releasedOre,
    release: (p) => p.reservedOre - p.capturedOre - p.releasedOre,
  };

  for (const kind of OPERATION_KINDS) {
    if (kind === 'initiate') continue;
    for (const state of PAYMENT_STATES) {
      const allowed = TRANSITIONS[kind].from.includes(state);
      // void needs nothing captured and release needs something captured: the fixture has 4000 captured.
      const expectedToFold = allowed && kind !== 'void';
      test(`${kind} from ${state} ${expectedToFold ? 'folds' : 'throws AssertionError'}`, () => {
        const p = IN_STATE[state];
        const event = ev(kind, Math.max(100, AMOUNT_FROM[kind](p)));
        if (expectedToFold) {
          const next = applyEvent(p, event);
          const target = TRANSITIONS[kind].to;
          if (target === 'same') assert.equal(next.state, state);
          else if (target !== 'by_amount') assert.equal(next.state, target);
        } else {
          assert.throws(() => applyEvent(p, event), AssertionError);
        }
      });
    }
  }

  test('void from a reserved payment with nothing captured folds to voided', () => {
    assert.equal(applyEvent(money('reserved', { reservedOre: 10_000 }), ev('void', 10_000)).state, 'voided');
  });
});

describe('checkMoneyInvariants', () => {
  const VALID: PaymentMoney[] = [
    money('initiated'),
    money('reserved', { reservedOre: 10_000 }),
    money('reserved', { reservedOre: 10_000, capturedOre: 9_999, refundedOre: 9_999 }),
    money('captured', { reservedOre: 10_000, capturedOre: 10_000, refundedOre: 10_000 }),
    money('captured', { reservedOre: 10_000, capturedOre: 100, releasedOre: 9_900 }),
    money('voided', { reservedOre: 10_000, releasedOre: 10_000 }),
    money('cancelled'),
    money('rejected'),
    money('failed'),
  ];
  for (const p of VALID) {
    test(`accepts a consistent ${p.state} payment (R ${p.reservedOre}, C ${p.capturedOre}, F ${p.refundedOre}, V ${p.releasedOre})`, () => {
      assert.doesNotThrow(() => checkMoneyInvariants(p));
    });
  }

  const INVALID: Array<[string, PaymentMoney]> = [
    ['a negative capture', money('reserved', { reservedOre: 10_000, capturedOre: -1 })],
    ['a fractional amount', money('reserved', { reservedOre: 10_000, capturedOre: 0.5 })],
    ['a capture above the reservation', money('captured', { reservedOre: 10_000, capturedOre: 10_001 })],
    ['capture plus release above the reservation', money('captured', { reservedOre: 10_000, capturedOre: 5_000, releasedOre: 5_001 })],
    ['a refund above the capture', money('captured', { reservedOre: 10_000, capturedOre: 10_000, refundedOre: 10_001 })],
    ['an initiated payment holding a reservation', money('initiated', { reservedOre: 10_000 })],
    ['a cancelled payment holding a capture', money('cancelled', { reservedOre: 10_000, capturedOre: 10_000 })],
    ['a rejected payment holding a reservation', money('rejected', { reservedOre: 100 })],
    ['a failed payment holding a reservation', money('failed', { reservedOre: 100 })],
    ['a reserved payment with nothing left to capture', money('reserved', { reservedOre: 10_000, capturedOre: 10_000 })],
    ['a reserved payment with no reservation', money('reserved')],
    ['a captured payment with an open reservation', money('captured', { reservedOre: 10_000, capturedOre: 4_000 })],
    ['a captured payment that captured nothing', money('captured', { reservedOre: 10_000, releasedOre: 10_000 })],
    ['a voided payment with a capture', money('voided', { reservedOre: 10_000, capturedOre: 100, releasedOre: 9_900 })],
    ['a voided payment that did not release everything', money('voided', { reservedOre: 10_000, releasedOre: 9_000 })],
    ['a voided payment with no reservation', money('voided')],
  ];
  for (const [what, p] of INVALID) {
    test(`throws AssertionError for ${what}`, () => {
      assert.throws(() => checkMoneyInvariants(p), AssertionError);
    });
  }
});

describe('folding accepted decisions (fast-check)', () => {
  type Step =
    | { op: 'approve'; direct: boolean }
    | { op: 'capture'; amount: number | null }
    | { op: 'refund'; amount: number | null }
    | { op: 'cancel'; release: boolean }
    | { op: 'userCancel' }
    | { op: 'timeout' };

  const amount = fc.option(fc.integer({ min: 100, max: 12_000 }), { nil: null });
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ op: fc.constant('approve' as const), direct: fc.boolean() }),
    fc.record({ op: fc.constant('capture' as const), amount }),
    fc.record({ op: fc.constant('capture' as const), amount }),
    fc.record({ op: fc.constant('refund' as const), amount }),
    fc.record({ op: fc.constant('cancel' as const), release: fc.boolean() }),
    fc.record({ op: fc.constant('userCancel' as const) }),
    fc.record({ op: fc.constant('timeout' as const) }),
  );

  function decideStep(s: Step, f: PaymentFacts, now: number, expiresAt: number): Decision<{ kind: OperationKind; amountOre: number }> {
    const as = (kind: OperationKind, d: Decision<{ amountOre: number }>) => (d.ok ? { ok: true as const, kind, amountOre: d.amountOre } : d);
    switch (s.op) {
      case 'approve':
        return decideApproval(f, s.direct ? 'direct' : 'reserve', now);
      case 'capture':
        return as('capture', decideCapture(f, s.amount, now));
      case 'refund':
        return as('refund', decideRefund(f, s.amount, now));
      case 'cancel':
        return decideCancel(f, s.release, now);
      case 'userCancel':
        return decideUserCancel(f);
      case 'timeout':
        return decideTimeout(f, expiresAt, { pending: false, captureType: 'reserve' });
    }
  }

  test('any sequence of accepted decisions folds without breaking an invariant, and replay reproduces it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10_000 }), fc.array(step, { maxLength: 12 }), (initial, steps) => {
        const createdAt = 0;
        const events: PaymentEvent[] = [ev('initiate', initial)];
        let p: PaymentMoney = applyEvent(null, events[0]!);
        let reservedAtMs: number | null = null;
        const now = 60_000;
        for (const s of steps) {
          const f: PaymentFacts = { ...p, reservedAtMs, expiresAtMs: createdAt + 300_000 };
          const d = decideStep(s, f, now, createdAt + 300_000);
          if (!d.ok) continue;
          const kind = d.kind;
          const event = ev(kind, d.amountOre);
          const before = p;
          p = applyEvent(p, event);
          events.push(event);
          if (kind === 'reserve' || kind === 'sale') reservedAtMs = now;
          checkMoneyInvariants(p);
          assert.ok(remainingToCaptureOre(p) >= 0 && remainingToRefundOre(p) >= 0);
          // Money moves only forward: nothing reserved, captured, refunded or released ever shrinks.
          assert.ok(p.reservedOre >= before.reservedOre && p.capturedOre >= before.capturedOre);
          assert.ok(p.refundedOre >= before.refundedOre && p.releasedOre >= before.releasedOre);
        }
        assert.deepEqual(replay(events), p);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
