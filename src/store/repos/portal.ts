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
 * An amount filter matching at most `selectiveMatches` payments is served from the amount index (see searchPayments).
 * An object so that a test can lower it and walk both ways with a few thousand payments.
 */
export const amountSearchTuning = { selectiveMatches: 20_000 };

const LIST_COLUMNS = ['id', 'msn', 'order_id', 'state', 'amount_ore', 'captured_ore', 'refunded_ore', 'transaction_text', 'created_at_ms', 'updated_at_ms'] as const;

/**
 * The filter on one sales unit. `amountIndexed: false` writes the amount terms as `+amount_ore`: the same comparison,
 * which SQLite's planner then does not serve from payment_portal_by_amount (it would read every match and sort them
 * when the walk in created order finds a page at once); PostgreSQL plans by its statistics either way.
 */
function filtered(db: Executor, msn: string, search: Omit<PaymentSearch, 'limit' | 'msns'>, amountIndexed: boolean) {
  let query = db.selectFrom('payment').where('msn', '=', msn);
  const amount = amountIndexed ? sql.ref('amount_ore') : sql<number>`+amount_ore`;
  if (search.orderId !== undefined) query = query.where('order_id', '=', search.orderId);
  if (search.state !== undefined) query = query.where('state', '=', search.state);
  if (search.minAmountOre !== undefined) query = query.where(amount, '>=', search.minAmountOre);
  if (search.maxAmountOre !== undefined) query = query.where(amount, '<=', search.maxAmountOre);
  if (search.fromMs !== undefined) query = query.where('created_at_ms', '>=', search.fromMs);
  if (search.toMs !== undefined) query = query.where('created_at_ms', '<', search.toMs);
  const after = search.after;
  if (after) query = query.where((eb) => eb(eb.refTuple('created_at_ms', 'id'), '<', eb.tuple(after.createdAtMs, after.id)));
  return query;
}

/**
 * A page of payments, newest first, by keyset (created_at_ms, id) so that page 1000 costs what page 1 costs: the index
 * payment_portal_recent (msn, created_at_ms, id) — or payment_portal_by_state when a status is chosen — gives the
 * rows in order and the other filters are checked as they come, which is quick while matches are common. An amount
 * range that matches few payments would make that walk long (all of them, when nothing matches), so its matches are
 * first counted on payment_portal_by_amount (msn, amount_ore, state, created_at_ms, id), up to
 * `amountSearchTuning.selectiveMatches`: when there are no more than that, the page's ids are the newest of them, picked from that
 * index alone, and only those rows are read. Several sales units are read one by one (each in index order) and
 * merged, never sorted as a whole.
 */
export async function searchPayments(db: Executor, search: PaymentSearch): Promise<PaymentListRow[]> {
  const pages = await Promise.all(search.msns.map((msn) => searchUnit(db, msn, search)));
  const merged = pages.length === 1 ? (pages[0] ?? []) : pages.flat().sort((a, b) => b.created_at_ms - a.created_at_ms || b.id - a.id);
  return merged.slice(0, search.limit);
}

async function searchUnit(db: Executor, msn: string, search: PaymentSearch): Promise<PaymentListRow[]> {
  let query = filtered(db, msn, search, false);
  if ((search.minAmountOre !== undefined || search.maxAmountOre !== undefined) && search.orderId === undefined) {
    const { selectiveMatches } = amountSearchTuning;
    const matches = await countUpTo(db, filtered(db, msn, search, true), selectiveMatches + 1);
    if (matches === 0) return [];
    if (matches <= selectiveMatches) {
      // Ordered by expressions, so that no planner walks payment_portal_recent instead: the matches are few.
      const newest = filtered(db, msn, search, true).select('id').orderBy(sql`+created_at_ms`, 'desc').orderBy(sql`+id`, 'desc').limit(search.limit);
      // By primary key alone: the ids came from this sales unit's filter (a msn term would let the planner walk the unit).
      query = db.selectFrom('payment').where('id', 'in', newest);
    }
  }
  const rows = await query.select([...LIST_COLUMNS]).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(search.limit).execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    amount_ore: Number(row.amount_ore),
    captured_ore: Number(row.captured_ore),
    refunded_ore: Number(row.refunded_ore),
    created_at_ms: Number(row.created_at_ms),
    updated_at_ms: Number(row.updated_at_ms),
  }));
}

/** How many rows the query would give, counting no further than `limit`. */
async function countUpTo(db: Executor, query: ReturnType<typeof filtered>, limit: number): Promise<number> {
  const row = await db
    .selectFrom(query.select(sql<number>`1`.as('one')).limit(limit).as('matches'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
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

/** Which of these orderIds are payments of these sales units (the API dashboard links only those to a payment page). */
export async function existingOrders(db: Executor, msns: readonly string[], orderIds: readonly string[]): Promise<{ msn: string; order_id: string }[]> {
  if (msns.length === 0 || orderIds.length === 0) return [];
  return db.selectFrom('payment').select(['msn', 'order_id']).where('msn', 'in', msns).where('order_id', 'in', orderIds).execute();
}
