import { assert, assertNever } from './assert.ts';
import { DAY_MS } from './clock.ts';
import type { RefusalReason } from './refusals.ts';
import type { Ore } from './money.ts';
import { TRANSITIONS, type OperationKind, type PaymentState } from './payment-states.ts';

/** The money-bearing part of a payment: what the guarded UPDATEs change and what replay reproduces. */
export interface PaymentMoney {
  state: PaymentState;
  amountOre: Ore;
  reservedOre: Ore;
  capturedOre: Ore;
  refundedOre: Ore;
  releasedOre: Ore;
}

export interface PaymentFacts extends PaymentMoney {
  reservedAtMs: number | null;
  expiresAtMs: number;
}

/** One entry of the operation log, as far as the money is concerned. */
export interface PaymentEvent {
  kind: OperationKind;
  amountOre: Ore;
}

export const CAPTURE_WINDOW_MS = 180 * DAY_MS;
export const CANCEL_WINDOW_MS = 180 * DAY_MS;
export const REFUND_WINDOW_MS = 365 * DAY_MS;
/** The landing page and deeplink are valid for 5 minutes; then the payment is REJECTED. */
export const USER_ACTION_TIMEOUT_MS = 5 * 60_000;

export type Decision<T> = ({ ok: true } & T) | { ok: false; error: RefusalReason };

export function remainingToCaptureOre(p: PaymentMoney): Ore {
  return p.state === 'reserved' ? p.reservedOre - p.capturedOre - p.releasedOre : 0;
}

export function remainingToRefundOre(p: PaymentMoney): Ore {
  return p.capturedOre - p.refundedOre;
}

/**
 * Invariant P1 (plus the reservation bookkeeping): checked after every fold and after every DB read.
 * 0 ≤ C, C + released ≤ R, 0 ≤ F ≤ C, and the state agrees with the amounts.
 */
export function checkMoneyInvariants(p: PaymentMoney): void {
  const { reservedOre: r, capturedOre: c, refundedOre: f, releasedOre: v } = p;
  for (const [name, value] of [['reserved', r], ['captured', c], ['refunded', f], ['released', v]] as const) {
    assert(Number.isSafeInteger(value) && value >= 0, `${name} must be a non-negative integer, got ${value}`);
  }
  assert(c + v <= r, `captured ${c} + released ${v} exceeds reserved ${r}`);
  assert(f <= c, `refunded ${f} exceeds captured ${c}`);
  switch (p.state) {
    case 'initiated':
    case 'cancelled':
    case 'rejected':
    case 'failed':
      assert(r === 0 && c === 0 && f === 0 && v === 0, `${p.state} payment holds money`);
      break;
    case 'reserved':
      assert(r > 0 && c + v < r, 'a reserved payment must have something left to capture');
      break;
    case 'captured':
      assert(c > 0 && c + v === r, 'a captured payment must have its reservation fully resolved');
      break;
    case 'voided':
      assert(c === 0 && v === r && r > 0, 'a voided payment releases its whole reservation');
      break;
    default:
      assertNever(p.state, 'state');
  }
}

/**
 * The fold behind invariant P4: applying the operation log in order reproduces the payment row.
 * The guarded UPDATE statements in the store do exactly these arithmetic steps.
 */
export function applyEvent(p: PaymentMoney | null, event: PaymentEvent): PaymentMoney {
  const { kind, amountOre } = event;
  if (kind === 'initiate') {
    assert(p === null, 'initiate must be the first operation');
    return { state: 'initiated', amountOre, reservedOre: 0, capturedOre: 0, refundedOre: 0, releasedOre: 0 };
  }
  assert(p !== null, `${kind} before initiate`);
  assert(TRANSITIONS[kind].from.includes(p.state), `${kind} is not allowed from ${p.state}`);
  const next: PaymentMoney = { ...p };
  switch (kind) {
    case 'reserve':
      next.state = 'reserved';
      next.reservedOre = amountOre;
      break;
    case 'sale':
      next.state = 'captured';
      next.reservedOre = amountOre;
      next.capturedOre = amountOre;
      break;
    case 'reserve_failed':
    case 'sale_failed':
      next.state = 'failed';
      break;
    case 'capture':
      next.capturedOre += amountOre;
      next.state = next.capturedOre + next.releasedOre === next.reservedOre ? 'captured' : 'reserved';
      break;
    case 'refund':
      next.refundedOre += amountOre;
      break;
    case 'capture_failed':
      break;
    case 'merchant_cancel':
    case 'user_cancel':
      next.state = 'cancelled';
      break;
    case 'timeout':
      next.state = 'rejected';
      break;
    case 'void':
      next.state = 'voided';
      next.releasedOre += amountOre;
      break;
    case 'release':
      next.state = 'captured';
      next.releasedOre += amountOre;
      break;
    default:
      assertNever(kind, 'operation kind');
  }
  checkMoneyInvariants(next);
  return next;
}

export function replay(events: readonly PaymentEvent[]): PaymentMoney | null {
  return events.reduce<PaymentMoney | null>((p, e) => applyEvent(p, e), null);
}

/**
 * Capture: `requestedOre` null means "everything still reserved" (amount omitted, null or 0 on the wire).
 * Checks run in the order the real platform reports them: state first, then age, then amount.
 */
export function decideCapture(p: PaymentFacts, requestedOre: Ore | null, nowMs: number): Decision<{ amountOre: Ore }> {
  switch (p.state) {
    case 'initiated':
    case 'rejected':
    case 'failed':
      return { ok: false, error: 'capture_not_reserved' };
    case 'cancelled':
    case 'voided':
      return { ok: false, error: 'transaction_not_allowed' };
    case 'captured':
    case 'reserved':
      break;
    default:
      assertNever(p.state, 'state');
  }
  assert(p.reservedAtMs !== null, 'a reserved or captured payment has a reservation time');
  if (nowMs - p.reservedAtMs > CAPTURE_WINDOW_MS) return { ok: false, error: 'capture_window_passed' };
  const remainingOre = remainingToCaptureOre(p);
  const amountOre = requestedOre ?? remainingOre;
  if (amountOre === 0 || amountOre > remainingOre) return { ok: false, error: 'capture_exceeds_reserved' };
  return { ok: true, amountOre };
}

export function decideRefund(p: PaymentFacts, requestedOre: Ore | null, nowMs: number): Decision<{ amountOre: Ore }> {
  switch (p.state) {
    case 'initiated':
      return { ok: false, error: 'refund_of_reserved' };
    case 'cancelled':
    case 'voided':
    case 'rejected':
    case 'failed':
      return { ok: false, error: 'refund_of_cancelled' };
    case 'reserved':
      if (p.capturedOre === 0) return { ok: false, error: 'refund_of_reserved' };
      break;
    case 'captured':
      break;
    default:
      assertNever(p.state, 'state');
  }
  assert(p.reservedAtMs !== null, 'a captured payment has a reservation time');
  if (nowMs - p.reservedAtMs > REFUND_WINDOW_MS) return { ok: false, error: 'refund_window_passed' };
  const remainingOre = remainingToRefundOre(p);
  const amountOre = requestedOre ?? remainingOre;
  if (amountOre === 0 || amountOre > remainingOre) return { ok: false, error: 'refund_exceeds_captured' };
  return { ok: true, amountOre };
}

export type CancelKind = 'merchant_cancel' | 'void' | 'release';

/**
 * Merchant cancel. INITIATE → CANCEL; RESERVE with nothing captured → VOID; after a partial capture only
 * with `shouldReleaseRemainingFunds`, which releases the remainder (logged as VOID of that amount).
 */
export function decideCancel(
  p: PaymentFacts,
  releaseRemainingFunds: boolean,
  nowMs: number,
): Decision<{ kind: CancelKind; amountOre: Ore }> {
  switch (p.state) {
    case 'initiated':
      return { ok: true, kind: 'merchant_cancel', amountOre: p.amountOre };
    case 'reserved': {
      assert(p.reservedAtMs !== null, 'a reserved payment has a reservation time');
      if (nowMs - p.reservedAtMs > CANCEL_WINDOW_MS) return { ok: false, error: 'cancel_failed' };
      const remainingOre = remainingToCaptureOre(p);
      if (p.capturedOre === 0) return { ok: true, kind: 'void', amountOre: remainingOre };
      if (!releaseRemainingFunds) return { ok: false, error: 'cancel_after_capture' };
      return { ok: true, kind: 'release', amountOre: remainingOre };
    }
    case 'captured':
      return { ok: false, error: 'cancel_after_capture' };
    case 'cancelled':
    case 'voided':
      return { ok: false, error: 'already_processed' };
    case 'rejected':
    case 'failed':
      return { ok: false, error: 'transaction_not_allowed' };
    default:
      return assertNever(p.state, 'state');
  }
}

/**
 * The user (or force approve) approved and the issuer agreed: reserve, or capture at once on direct-capture
 * units. Express checkout adds the chosen shipping cost to what is reserved.
 */
export function decideApproval(
  p: PaymentFacts,
  captureType: 'reserve' | 'direct',
  nowMs: number,
  shippingOre: Ore = 0,
): Decision<{ kind: 'reserve' | 'sale'; amountOre: Ore }> {
  assert(Number.isSafeInteger(shippingOre) && shippingOre >= 0, 'shipping cost is a non-negative amount');
  if (p.state !== 'initiated') return { ok: false, error: 'already_processed' };
  if (nowMs >= p.expiresAtMs) return { ok: false, error: 'transaction_not_allowed' };
  return { ok: true, kind: captureType === 'direct' ? 'sale' : 'reserve', amountOre: p.amountOre + shippingOre };
}

/** The user pressed "cancel" in the app or on the landing page. */
export function decideUserCancel(p: PaymentFacts): Decision<{ kind: 'user_cancel'; amountOre: Ore }> {
  if (p.state !== 'initiated') return { ok: false, error: 'already_processed' };
  return { ok: true, kind: 'user_cancel', amountOre: p.amountOre };
}

/**
 * The window passed: nobody acted, and the payment becomes REJECTED. When the issuer was asked and never
 * answered (test amount 2.01), the reservation fails instead, reason unknown (Payment 45).
 */
export function decideTimeout(
  p: PaymentFacts,
  nowMs: number,
  issuer: { pending: boolean; captureType: 'reserve' | 'direct' },
): Decision<{ kind: 'timeout' | 'reserve_failed' | 'sale_failed'; amountOre: Ore; errorKey?: RefusalReason }> {
  if (p.state !== 'initiated' || nowMs < p.expiresAtMs) return { ok: false, error: 'already_processed' };
  if (!issuer.pending) return { ok: true, kind: 'timeout', amountOre: p.amountOre };
  const kind = issuer.captureType === 'direct' ? 'sale_failed' : 'reserve_failed';
  return { ok: true, kind, amountOre: p.amountOre, errorKey: 'user_did_not_act' };
}
