import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { AuditLogRow, AuditLogTable } from '../schema.ts';

export async function insertAuditEntry(db: Executor, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** Newest first; `beforeId` pages back, `subject` narrows to one MSN, merchant or operator. */
export async function listAuditEntries(db: Executor, filter: { subject?: string | undefined; beforeId?: number | undefined; limit: number }): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}
