import { sql } from 'kysely';
import type { PaymentState } from '../../domain/payment-states.ts';
import type { Executor } from '../db.ts';

/** What the portal's transaction search filters by; every filter is optional but the sales units. */
export interface PaymentSearch {
  msns: readonly string[];
  orderId?: string;
  state?: PaymentState;
  minAmountOre?: number;
  maxAmountOre?: number;
  /** created_at_ms ≥ fromMs and < toMs. */
  fromMs?: number;
  toMs?: number;
  /** Keyset: the page after this row (newest first, ties by id). */
  after?: { createdAtMs: number; id: number };
  limit: number;
}

export interface PaymentListRow {
  id: number;
  msn: string;
  order_id: string;
  state: PaymentState;
  amount_ore: number;
  captured_ore: number;
  refunded_ore: number;
  transaction_text: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/**
 * A page of payments, newest first, by keyset (created_at_ms, id) so that page 1000 costs what page 1 costs: with one
 * sales unit the index payment_portal_recent (msn, created_at_ms, id) — or payment_portal_by_state when a status is
 * chosen — gives the rows in order, and the amount filter is checked on them as they come.
 */
export async function searchPayments(db: Executor, search: PaymentSearch): Promise<PaymentListRow[]> {
  if (search.msns.length === 0) return [];
  let query = db
    .selectFrom('payment')
    .select(['id', 'msn', 'order_id', 'state', 'amount_ore', 'captured_ore', 'refunded_ore', 'transaction_text', 'created_at_ms', 'updated_at_ms'])
    .where('msn', 'in', search.msns);
  if (search.orderId !== undefined) query = query.where('order_id', '=', search.orderId);
  if (search.state !== undefined) query = query.where('state', '=', search.state);
  if (search.minAmountOre !== undefined) query = query.where('amount_ore', '>=', search.minAmountOre);
  if (search.maxAmountOre !== undefined) query = query.where('amount_ore', '<=', search.maxAmountOre);
  if (search.fromMs !== undefined) query = query.where('created_at_ms', '>=', search.fromMs);
  if (search.toMs !== undefined) query = query.where('created_at_ms', '<', search.toMs);
  const after = search.after;
  if (after) query = query.where((eb) => eb(eb.refTuple('created_at_ms', 'id'), '<', eb.tuple(after.createdAtMs, after.id)));
  const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(search.limit).execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), amount_ore: Number(row.amount_ore), captured_ore: Number(row.captured_ore), refunded_ore: Number(row.refunded_ore), created_at_ms: Number(row.created_at_ms), updated_at_ms: Number(row.updated_at_ms) }));
}

/** Operation counts and sums per hour and kind (the dashboard folds hours into Oslo days). */
export async function operationsByHour(db: Executor, args: { msns: readonly string[]; fromMs: number; toMs: number }) {
  if (args.msns.length === 0) return [];
  const hour = sql<number>`created_at_ms / 3600000`;
  const rows = await db
    .selectFrom('payment_operation')
    .select([hour.as('hour'), 'kind', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.sum<number>('amount_ore').as('amount_ore')])
    .where('msn', 'in', args.msns)
    .where('created_at_ms', '>=', args.fromMs)
    .where('created_at_ms', '<', args.toMs)
    .where('kind', 'in', ['capture', 'sale', 'refund', 'reserve_failed', 'sale_failed', 'capture_failed'])
    .groupBy([hour, 'kind'])
    .execute();
  return rows.map((row) => ({ hourStartMs: Math.floor(Number(row.hour)) * 3_600_000, kind: row.kind, count: Number(row.count), amountOre: Number(row.amount_ore) }));
}

/** Settlements of these sales units paid out in the window. */
export async function payoutsBetween(db: Executor, args: { msns: readonly string[]; fromMs: number; toMs: number }) {
  if (args.msns.length === 0) return [];
  const rows = await db
    .selectFrom('settlement')
    .select(['payout_at_ms', 'payout_ore'])
    .where('msn', 'in', args.msns)
    .where('payout_at_ms', '>=', args.fromMs)
    .where('payout_at_ms', '<', args.toMs)
    .execute();
  return rows.map((row) => ({ payoutAtMs: Number(row.payout_at_ms), payoutOre: Number(row.payout_ore) }));
}
