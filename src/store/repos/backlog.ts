import type { Executor } from '../db.ts';

/**
 * What background work is waiting, read at scrape time for the operator's metrics. Both queries are ranges on the
 * indexes the jobs use themselves (outbox_due, payment_due_expiry), so a scrape costs what one job poll costs.
 */
export async function outboxBacklog(db: Executor, nowMs: number): Promise<{ pending: number; due: number; oldestDueAtMs: number | null }> {
  const pending = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  const due = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('next_attempt_at_ms').as('oldest')])
    .where('state', '=', 'pending')
    .where('next_attempt_at_ms', '<=', nowMs)
    .executeTakeFirstOrThrow();
  return { pending: Number(pending.n), due: Number(due.n), oldestDueAtMs: due.oldest === null ? null : Number(due.oldest) };
}

/** The earliest expiry of a payment still waiting for the user although its window has passed (null: none overdue). */
export async function oldestOverdueExpiryMs(db: Executor, nowMs: number): Promise<number | null> {
  const row = await db
    .selectFrom('payment')
    .select((eb) => eb.fn.min('expires_at_ms').as('oldest'))
    .where('state', '=', 'initiated')
    .where('expires_at_ms', '<=', nowMs)
    .executeTakeFirstOrThrow();
  return row.oldest === null ? null : Number(row.oldest);
}
