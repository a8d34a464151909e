import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import { fields, preparedWrite } from '../prepared.ts';
import type { CallbackAttemptRow, OutboxRow, OutboxTable } from '../schema.ts';

/** Every column of an outbox row but its id and the fault-rule mark, spelled out: the INSERT is prepared once. */
export type NewOutbound = Required<Omit<Insertable<OutboxTable>, 'id' | 'delayed'>>;
const OUTBOUND_COLUMNS = [
  'msn', 'payment_id', 'order_id', 'kind', 'method', 'url', 'headers_json', 'body_json', 'timeout_ms', 'state', 'attempts', 'max_attempts',
  'next_attempt_at_ms', 'lease_owner', 'lease_until_ms', 'created_at_ms', 'updated_at_ms',
] as const;
const insertOutboundRow = preparedWrite<NewOutbound>((db, p) => db.insertInto('outbox').values(fields(p, OUTBOUND_COLUMNS)));

export async function enqueueOutbound(db: Executor, row: NewOutbound): Promise<void> {
  await insertOutboundRow.run(db, row);
}

/** Like enqueueOutbound, answering with the stored row (its id). */
export async function insertOutbound(db: Executor, row: Insertable<OutboxTable>): Promise<OutboxRow> {
  return db.insertInto('outbox').values(row).returningAll().executeTakeFirstOrThrow();
}

/** One outbound call; with an MSN, only if it belongs to that sales unit. */
export async function findOutbound(db: Executor, id: number, msn: string | null): Promise<OutboxRow | undefined> {
  let query = db.selectFrom('outbox').selectAll().where('id', '=', id);
  if (msn !== null) query = query.where('msn', '=', msn);
  return query.executeTakeFirst();
}

/** Newest first, bounded by the caller. */
export async function listOutbound(db: Executor, args: { msn?: string; orderId?: string; limit: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll();
  if (args.msn !== undefined) query = query.where('msn', '=', args.msn);
  if (args.orderId !== undefined) query = query.where('order_id', '=', args.orderId);
  return query.orderBy('id', 'desc').limit(args.limit).execute();
}

/**
 * Push a claimed row's next attempt to `untilMs` without attempting it (a sandbox delay rule), and release
 * the lease. Guarded like recordAttempt (store/dialect.ts): only the lease holder of the still-pending, unchanged row moves it.
 */
export async function deferOutbound(db: Executor, args: { row: OutboxRow; owner: string; untilMs: number; nowMs: number }): Promise<boolean> {
  const updated = await db
    .updateTable('outbox')
    .set({
      next_attempt_at_ms: Math.max(args.untilMs, args.row.next_attempt_at_ms),
      delayed: 1,
      lease_owner: null,
      lease_until_ms: null,
      updated_at_ms: args.nowMs,
    })
    .where('id', '=', args.row.id)
    .where('lease_owner', '=', args.owner)
    .where('attempts', '=', args.row.attempts)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function listOutboundForOrder(db: Executor, msn: string, orderId: string): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('msn', '=', msn).where('order_id', '=', orderId).orderBy('id').execute();
}

export async function listAttempts(db: Executor, outboxIds: readonly number[]): Promise<CallbackAttemptRow[]> {
  if (outboxIds.length === 0) return [];
  return db.selectFrom('callback_attempt').selectAll().where('outbox_id', 'in', outboxIds).orderBy('id').execute();
}

export async function countDueOutbound(db: Executor, nowMs: number): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'pending')
    .where('next_attempt_at_ms', '<=', nowMs)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
