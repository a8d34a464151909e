import type { Executor } from '../db.ts';
import type { DialectKind } from '../dialect.ts';
import { OPERATION_COLUMNS, type NewOperation, type OperationRow } from '../schema.ts';
import { fields, prepared, preparedWrite } from '../prepared.ts';

const insertOperation = prepared<NewOperation, OperationRow>((db, p) => db.insertInto('payment_operation').values(fields(p, OPERATION_COLUMNS)).returningAll());
const insertOperationUnread = preparedWrite<NewOperation>((db, p) => db.insertInto('payment_operation').values(fields(p, OPERATION_COLUMNS)));

/** An operation whose row the caller does not need back (on PostgreSQL it then costs no round trip of its own). */
export async function appendOperation(db: Executor, row: NewOperation): Promise<void> {
  await insertOperationUnread.run(db, row);
}

/** The operation log is insert-only (engine triggers refuse UPDATE and DELETE). */
export async function appendOperationReturning(db: Executor, kind: DialectKind, row: NewOperation): Promise<OperationRow> {
  if (kind === 'sqlite') {
    // The row is what was inserted, with the id SQLite gave it (no RETURNING: prepared.ts, insertedRowId).
    const id = await insertOperationUnread.insertedRowId(db, row);
    if (id === undefined) throw new Error('INSERT of an operation inserted no row');
    return { id, ...fields(row, OPERATION_COLUMNS) } as OperationRow;
  }
  const inserted = await insertOperation.first(db, row);
  if (!inserted) throw new Error('INSERT … RETURNING of an operation returned no row');
  return inserted;
}
