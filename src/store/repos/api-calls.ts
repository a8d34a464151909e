import { CompiledQuery, type Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import { multiRowInsertText, type DialectKind } from '../dialect.ts';
import type { ApiCallRow, ApiCallTable } from '../schema.ts';

export type NewApiCall = Required<Omit<Insertable<ApiCallTable>, 'id'>>;

const API_CALL_COLUMNS = [
  'msn',
  'partner_id',
  'at_ms',
  'method',
  'route',
  'path',
  'status',
  'error_group',
  'error_code',
  'latency_us',
  'request_id',
  'order_id',
  'system_name',
  'system_version',
  'plugin_name',
  'plugin_version',
  'msn_header',
] as const satisfies readonly (keyof NewApiCall)[];

/**
 * Rows per INSERT, largest first: a batch is split greedily into chunks of these sizes, so there are only five
 * statement texts (SQLite caches prepared statements by text) and a batch of n rows takes a handful of INSERTs.
 * 256 rows of 17 columns stay far below SQLite's limit on bound variables.
 */
const CHUNK_ROWS = [256, 64, 16, 4, 1] as const;

/**
 * A batch of recorded calls as multi-row INSERTs (in the caller's transaction). The text is built once per chunk
 * size and the values bound directly: the query builder's per-row work was a third of the cost of a recorded call.
 */
export async function insertApiCalls(db: Executor, kind: DialectKind, rows: readonly NewApiCall[]): Promise<void> {
  let start = 0;
  for (const size of CHUNK_ROWS) {
    while (rows.length - start >= size) {
      const params: unknown[] = [];
      for (let i = start; i < start + size; i++) {
        const row = rows[i]!;
        for (const column of API_CALL_COLUMNS) params.push(row[column]);
      }
      await db.executeQuery(CompiledQuery.raw(multiRowInsertText(kind, 'api_call', API_CALL_COLUMNS, size), params));
      start += size;
    }
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

/** The recorded calls of some sales units (one, or a merchant's in the portal), newest first. */
export async function listApiCalls(db: Executor, msns: readonly string[], filter: ApiCallFilter): Promise<ApiCallRow[]> {
  let query = db.selectFrom('api_call').selectAll().where('msn', 'in', msns);
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
