import type { Executor } from '../db.ts';

/**
 * The database side of the integration checklist: partial captures and refunds, how orders ended, and the calls Kasse
 * made to the merchant with their attempts. Each read is bounded (`limit`, newest first).
 */
export async function partialOperations(db: Executor, msn: string, kind: 'capture' | 'refund', limit: number) {
  return db
    .selectFrom('payment_operation as op')
    .innerJoin('payment as p', 'p.id', 'op.payment_id')
    .select(['op.id', 'p.order_id', 'op.amount_ore', 'op.request_id', 'op.created_at_ms'])
    .where('op.msn', '=', msn)
    .where('op.kind', '=', kind)
    .where((eb) => eb('op.amount_ore', '<', kind === 'capture' ? eb.ref('p.reserved_ore') : eb.ref('p.captured_ore')))
    .orderBy('op.id', 'desc')
    .limit(limit)
    .execute();
}

/** Orders that ended refunded (something was refunded) or voided (the reservation was cancelled). */
export async function ordersThatEnded(db: Executor, msn: string, ending: 'refund' | 'void', limit: number) {
  let query = db.selectFrom('payment').select(['order_id', 'state', 'updated_at_ms']).where('msn', '=', msn);
  query = ending === 'refund' ? query.where('refunded_ore', '>', 0) : query.where('state', '=', 'voided');
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function recentOrderIds(db: Executor, msn: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('payment').select('order_id').where('msn', '=', msn).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => r.order_id);
}

/** Calls of some kinds Kasse made to the merchant, each with its attempts (none yet: one row with null attempt). */
export async function outboundCallsWithAttempts(db: Executor, msn: string, kinds: readonly string[], limit: number) {
  return db
    .selectFrom('outbox')
    .leftJoin('callback_attempt as a', 'a.outbox_id', 'outbox.id')
    .select([
      'outbox.id as outbox_id',
      'outbox.kind',
      'outbox.order_id',
      'outbox.body_json',
      'outbox.delayed',
      'outbox.created_at_ms',
      'a.id as attempt_id',
      'a.http_status',
      'a.error',
      'a.latency_ms',
      'a.started_at_ms',
    ])
    .where('outbox.msn', '=', msn)
    .where('outbox.kind', 'in', kinds)
    .orderBy('outbox.id', 'desc')
    .limit(limit)
    .execute();
}
