import type { Executor } from '../db.ts';
import { OPERATION_COLUMNS, type NewOperation, type OperationRow } from '../schema.ts';
import { fields, preparedWrite } from '../prepared.ts';

const insertOperationUnread = preparedWrite<NewOperation>((db, p) => db.insertInto('payment_operation').values(fields(p, OPERATION_COLUMNS)));

/** An operation whose row the caller does not need back (on PostgreSQL it then costs no round trip of its own). */
export async function appendOperation(db: Executor, row: NewOperation): Promise<void> {
  await insertOperationUnread.run(db, row);
}

/**
 * SQLite: an operation, answered as the row it inserted with the id SQLite gave it (no RETURNING: prepared.ts,
 * insertedRowId). The operation log is insert-only (engine triggers refuse UPDATE and DELETE).
 */
export async function appendOperationWithId(db: Executor, row: NewOperation): Promise<OperationRow> {
  const id = await insertOperationUnread.insertedRowId(db, row);
  if (id === undefined) throw new Error('INSERT of an operation inserted no row');
  return { id, ...fields(row, OPERATION_COLUMNS) } as OperationRow;
}
