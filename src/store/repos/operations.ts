import type { Executor } from '../db.ts';
import type { OperationRow, PaymentOperationTable } from '../schema.ts';
import type { Insertable } from 'kysely';

/** The operation log is insert-only (engine triggers refuse UPDATE and DELETE). */
export async function appendOperation(db: Executor, row: Insertable<PaymentOperationTable>): Promise<OperationRow> {
  return db.insertInto('payment_operation').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * The log up to `upToSeq` (the version of the payment row the caller read): a change committed after that read
 * adds rows beyond it, so row and log stay consistent without a snapshot transaction.
 */
export async function listOperations(db: Executor, msn: string, paymentId: number, upToSeq: number): Promise<OperationRow[]> {
  return db
    .selectFrom('payment_operation')
    .selectAll()
    .where('msn', '=', msn)
    .where('payment_id', '=', paymentId)
    .where('seq', '<=', upToSeq)
    .orderBy('seq')
    .execute();
}
