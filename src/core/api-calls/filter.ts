import { InvalidRequestError } from '../../domain/refusals.ts';
import type { ApiCallFilter } from '../../store/repos/api-calls.ts';

/** A page holds this many calls unless the query asks for another number (1–200). */
const DEFAULT_LIMIT = 50;

/** The API-call filter as given in a query string: every field text, absent meaning "any". */
export interface ApiCallQuery {
  /** A route as the calls show it, with or without its method: "POST /ecomm/v2/payments/:orderId/capture". */
  endpoint?: string | undefined;
  /** An exact status (404) or a class (4xx). */
  status?: string | undefined;
  orderId?: string | undefined;
  /** Only calls older than this id (the keyset cursor of the next page). */
  cursor?: string | undefined;
  limit?: string | undefined;
}

const STATUS = /^([1-5]\d\d|[1-5]xx)$/;
const CURSOR = /^\d{1,15}$/;

/**
 * The filter a query asks for; bad input names its field. Shared by `GET /_kasse/api-calls` (whose schema already
 * checks the patterns) and the portal's API dashboard (whose form does not).
 */
export function apiCallFilterOf(query: ApiCallQuery): ApiCallFilter {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InvalidRequestError('limit', 'limit is from 1 to 200');
  const filter: ApiCallFilter = { limit };
  if (query.endpoint !== undefined) {
    const match = /^(?:([A-Z]+)\s+)?(\/\S*)$/.exec(query.endpoint.trim());
    if (!match) throw new InvalidRequestError('endpoint', 'endpoint is a route, optionally after its method: "GET /ecomm/v2/payments/:orderId/details"');
    if (match[1] !== undefined) filter.method = match[1];
    filter.route = match[2]!;
  }
  if (query.status !== undefined) {
    if (!STATUS.test(query.status)) throw new InvalidRequestError('status', 'status is an HTTP status (404) or a class of them (4xx)');
    if (query.status.endsWith('xx')) filter.statusClass = Number(query.status[0]);
    else filter.status = Number(query.status);
  }
  if (query.orderId !== undefined) filter.orderId = query.orderId;
  if (query.cursor !== undefined) {
    if (!CURSOR.test(query.cursor)) throw new InvalidRequestError('cursor', 'cursor is the nextCursor of the page before');
    filter.beforeId = Number(query.cursor);
  }
  return filter;
}
