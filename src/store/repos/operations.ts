import type { Executor } from '../db.ts';
import type { OperationRow, PaymentOperationTable } from '../schema.ts';
import type { Insertable } from 'kysely';
import { fields, prepared } from '../prepared.ts';

type NewOperation = Required<Omit<Insertable<PaymentOperationTable>, 'id'>>;
const OPERATION_COLUMNS = ['payment_id', 'msn', 'seq', 'kind', 'amount_ore', 'transaction_text', 'request_id', 'created_at_ms', 'error_key'] as const;
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
