import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { ApiCallRow, ApiCallTable } from '../schema.ts';

/** Rows per INSERT: 17 columns each stays far below SQLite's limit on bound variables. */
const ROWS_PER_INSERT = 500;

/** A batch of recorded calls: one multi-row INSERT per chunk (one for any batch a flush normally holds). */
export async function insertApiCalls(db: Executor, rows: Insertable<ApiCallTable>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await db.insertInto('api_call').values(rows.slice(start, start + ROWS_PER_INSERT)).execute();
  }
}

export interface ApiCallFilter {
  route?: string;
  method?: string;
  /** An exact status, or its class (`4` for 4xx). */
  status?: number;
  statusClass?: number;
  orderId?: string;
  /** Only calls older than this id (the page cursor: newest first). */
  beforeId?: number;
  limit: number;
}

/** A sales unit's recorded calls, newest first. */
export async function listApiCalls(db: Executor, msn: string, filter: ApiCallFilter): Promise<ApiCallRow[]> {
  let query = db.selectFrom('api_call').selectAll().where('msn', '=', msn);
  if (filter.route !== undefined) query = query.where('route', '=', filter.route);
  if (filter.method !== undefined) query = query.where('method', '=', filter.method);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.statusClass !== undefined) query = query.where('status', '>=', filter.statusClass * 100).where('status', '<', filter.statusClass * 100 + 100);
  if (filter.orderId !== undefined) query = query.where('order_id', '=', filter.orderId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Each endpoint the sales unit called successfully (2xx): how often, and its latest such call. */
export async function successfulEndpoints(db: Executor, msn: string) {
  return db
    .selectFrom('api_call')
    .select(({ fn }) => ['method', 'route', fn.countAll<number>().as('calls'), fn.max('id').as('last_id'), fn.max('at_ms').as('last_at_ms')])
    .where('msn', '=', msn)
    .where('status', '>=', 200)
    .where('status', '<', 300)
    .groupBy(['method', 'route'])
    .execute();
}

/** The sales unit's calls of some routes, newest first (the checklist reads what it grades from these). */
export async function callsOfRoutes(db: Executor, msn: string, routes: readonly string[], limit: number): Promise<ApiCallRow[]> {
  if (routes.length === 0) return [];
  return db.selectFrom('api_call').selectAll().where('msn', '=', msn).where('route', 'in', routes).orderBy('id', 'desc').limit(limit).execute();
}

/** Retention: delete calls recorded before the cutoff; returns how many. */
export async function deleteApiCallsBefore(db: Executor, cutoffMs: number): Promise<number> {
  const result = await db.deleteFrom('api_call').where('at_ms', '<', cutoffMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The sales unit's calls of one route about some orders, oldest first. */
export async function callsOfRouteForOrders(db: Executor, msn: string, route: string, orderIds: readonly string[]): Promise<ApiCallRow[]> {
  if (orderIds.length === 0) return [];
  return db.selectFrom('api_call').selectAll().where('msn', '=', msn).where('route', '=', route).where('order_id', 'in', orderIds).orderBy('id').execute();
}
