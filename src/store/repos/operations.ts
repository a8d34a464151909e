import type { Executor } from '../db.ts';
import { OPERATION_COLUMNS, type NewOperation, type OperationRow } from '../schema.ts';
import { fields, prepared } from '../prepared.ts';

const insertOperation = prepared<NewOperation, OperationRow>((db, p) => db.insertInto('payment_operation').values(fields(p, OPERATION_COLUMNS)).returningAll());
const operationsUpTo = prepared<{ msn: string; paymentId: number; upToSeq: number }, OperationRow>((db, p) =>
  db.selectFrom('payment_operation').selectAll().where('msn', '=', p.msn).where('payment_id', '=', p.paymentId).where('seq', '<=', p.upToSeq).orderBy('seq'),
);

/** The operation log is insert-only (engine triggers refuse UPDATE and DELETE). */
export async function appendOperation(db: Executor, row: NewOperation): Promise<OperationRow> {
  const inserted = await insertOperation.first(db, row);
  if (!inserted) throw new Error('INSERT … RETURNING of an operation returned no row');
  return inserted;
}

/**
 * The log up to `upToSeq` (the version of the payment row the caller read): a change committed after that read
 * adds rows beyond it, so row and log stay consistent without a snapshot transaction.
 */
export async function listOperations(db: Executor, msn: string, paymentId: number, upToSeq: number): Promise<OperationRow[]> {
  return operationsUpTo.all(db, { msn, paymentId, upToSeq });
}
