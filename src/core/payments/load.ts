import { checkMoneyInvariants, type PaymentFacts } from '../../domain/payment.ts';
import { orderNotFound } from '../../domain/refusals.ts';
import type { Executor } from '../../store/db.ts';
import { findCorePaymentWithLog, findPaymentWithLog, loadPaymentForUpdate, type LockedPayment } from '../../store/dialect.ts';
import { findPayment } from '../../store/repos/payments.ts';
import type { OperationRow, PaymentCoreRow, PaymentRow } from '../../store/schema.ts';
import type { Tx } from '../context.ts';
import { PerTransaction } from '../per-transaction.ts';
import { rememberSalesUnit } from '../sales-unit-in-tx.ts';

/** Another merchant's order is looked up under the caller's MSN, so it is indistinguishable from a missing one. */
export async function loadPayment(db: Executor, msn: string, orderId: string): Promise<PaymentRow> {
  return found(await findPayment(db, msn, orderId), msn, orderId);
}

/** The payment (with its request and session) and its operation log up to the version read, in one read. */
export async function loadPaymentWithLog(db: Executor, msn: string, orderId: string): Promise<{ payment: PaymentRow; log: OperationRow[] }> {
  const read = await findPaymentWithLog(db, msn, orderId);
  return { payment: found(read?.payment, msn, orderId), log: read?.log ?? [] };
}

/** The core payment and its operation log up to the version read, in one read. */
export async function loadCorePaymentWithLog(db: Executor, msn: string, orderId: string): Promise<{ payment: PaymentCoreRow; log: OperationRow[] }> {
  const read = await findCorePaymentWithLog(db, msn, orderId);
  return { payment: found(read?.payment, msn, orderId), log: read?.log ?? [] };
}

/** PostgreSQL: by payment id, the id each locked payment's next operation gets, drawn by its locked read. */
const operationIds = new PerTransaction<number, number>();

/** The payment, locked for the rest of the transaction (PostgreSQL: FOR UPDATE; SQLite: the writer holds the database). */
export async function lockPayment(tx: Tx, msn: string, orderId: string): Promise<PaymentRow> {
  return adoptLocked(tx, await loadPaymentForUpdate(tx.trx, tx.kind, msn, orderId), msn, orderId);
}

/**
 * A payment's locked read as this transaction takes it over (lockPayment, or a read sent with another statement): its
 * sales unit and the id its next operation gets are remembered, and a missing payment is "not found".
 */
export function adoptLocked(tx: Tx, locked: LockedPayment | undefined, msn: string, orderId: string): PaymentRow {
  if (locked !== undefined) {
    rememberSalesUnit(tx, locked.unit);
    if (locked.nextOperationId !== null) operationIds.set(tx, locked.payment.id, locked.nextOperationId);
  }
  return found(locked?.payment, msn, orderId);
}

/** The id the locked read drew for this payment's next operation (null on SQLite, which numbers it on insert); once. */
export function takeOperationId(tx: Tx, paymentId: number): number | null {
  return operationIds.take(tx, paymentId) ?? null;
}

/** A payment as read: there, and keeping its money invariants (anything else is "not found" or a corrupted row). */
function found<Row extends PaymentCoreRow>(payment: Row | undefined, msn: string, orderId: string): Row {
  if (!payment) throw orderNotFound(orderId, msn);
  checkMoneyInvariants(factsOf(payment));
  return payment;
}

export function factsOf(row: PaymentCoreRow): PaymentFacts {
  return {
    state: row.state,
    amountOre: row.amount_ore,
    reservedOre: row.reserved_ore,
    capturedOre: row.captured_ore,
    refundedOre: row.refunded_ore,
    releasedOre: row.released_ore,
    reservedAtMs: row.reserved_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}
