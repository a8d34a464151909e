import { isDeepStrictEqual } from 'node:util';
import { assert } from '../../domain/assert.ts';
import { DAY_MS } from '../../domain/clock.ts';
import { replay } from '../../domain/payment.ts';
import type { Executor } from '../../store/db.ts';
import type { OperationRow, PaymentCoreRow, PaymentRow } from '../../store/schema.ts';
import { factsOf, loadCorePaymentWithLog, loadPaymentWithLog } from './load.ts';

export interface PaymentHistory<Row extends PaymentCoreRow = PaymentCoreRow> {
  payment: Row;
  /** Oldest first; one row per version of the payment. */
  log: OperationRow[];
}

/** A payment and its whole operation log (what /details and /status are made of: the core payment is enough). */
export async function loadWithLog(db: Executor, msn: string, orderId: string): Promise<PaymentHistory> {
  return wholeLog(await loadCorePaymentWithLog(db, msn, orderId));
}

/** The same with the payment's ecomm v2 request and session (the portal's payment page). */
export async function loadViewWithLog(db: Executor, msn: string, orderId: string): Promise<PaymentHistory<PaymentRow>> {
  return wholeLog(await loadPaymentWithLog(db, msn, orderId));
}

function wholeLog<Row extends PaymentCoreRow>(history: PaymentHistory<Row>): PaymentHistory<Row> {
  const { payment, log } = history;
  assert(log.length === payment.version, `payment ${payment.id} has version ${payment.version} but ${log.length} operations`);
  return history;
}

/** Personal data shared with the merchant is available for 7 days after reservation, then channels hide it. */
export const PERSONAL_DATA_RETENTION_MS = 7 * DAY_MS;

export function personalDataExpired(payment: PaymentCoreRow, nowMs: number): boolean {
  return payment.reserved_at_ms !== null && nowMs - payment.reserved_at_ms > PERSONAL_DATA_RETENTION_MS;
}

/** Invariant P4 as a check: the fold of the log equals the row. Used by tests and reconciliation. */
export async function replayMatchesRow(db: Executor, msn: string, orderId: string): Promise<boolean> {
  const { payment, log } = await loadWithLog(db, msn, orderId);
  const replayed = replay(log.map((op) => ({ kind: op.kind, amountOre: op.amount_ore })));
  const { reservedAtMs: _r, expiresAtMs: _e, ...row } = factsOf(payment);
  return isDeepStrictEqual(replayed, row);
}
