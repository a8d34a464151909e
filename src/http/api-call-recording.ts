import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiCallRecord, ApiCallRecorder } from '../core/api-calls/recorder.ts';
import type { AuthenticatedClient } from '../core/auth/access-token.ts';
import type { AppContext } from '../core/context.ts';

const MAX_HEADER_CHARS = 100;
const MAX_PATH_CHARS = 300;

/**
 * A request's text as it can be stored: PostgreSQL's text holds no NUL, and one NUL would fail the batch it is written
 * in (every call recorded with it lost). A path parameter is decoded, so `%00` in an orderId arrives as NUL; U+FFFD
 * stands in for it, on both engines.
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

function headerValue(request: FastifyRequest, name: string): string | null {
  const raw = request.headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === '' ? null : storable(value.slice(0, MAX_HEADER_CHARS));
}

/**
 * What an error answer says went wrong, in the shape of the API that gave it: the Vipps error body
 * (`[{errorGroup, errorCode}]`), the Report API's 401 `{code}` or its problem+json `{title}`.
 */
function errorSummaryOf(payload: unknown): { group: string | null; code: string | null } {
  if (typeof payload !== 'string' || payload === '') return { group: null, code: null };
  try {
    const body = JSON.parse(payload) as unknown;
    const item = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object') return { group: null, code: null };
    if (typeof item.errorGroup === 'string') return { group: item.errorGroup, code: item.errorCode == null ? null : String(item.errorCode) };
    if (typeof item.code === 'string') return { group: null, code: item.code };
    if (typeof item.title === 'string') return { group: 'problem', code: item.title };
  } catch {
    /* not JSON: nothing to summarise */
  }
  return { group: null, code: null };
}

/** The orderId a call is about: in the path, or (initiate) in the body's transaction. Never the body itself. */
function orderIdOf(request: FastifyRequest): string | null {
  const fromPath = (request.params as { orderId?: unknown } | undefined)?.orderId;
  if (typeof fromPath === 'string') return storable(fromPath.slice(0, MAX_HEADER_CHARS));
  // The body parser refuses a JSON string with NUL (http/body-parsing.ts).
  const fromBody = (request.body as { transaction?: { orderId?: unknown } } | undefined)?.transaction?.orderId;
  return typeof fromBody === 'string' ? fromBody.slice(0, MAX_HEADER_CHARS) : null;
}

function recordOf(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, client: AuthenticatedClient, payload: unknown): ApiCallRecord {
  const status = reply.statusCode;
  const error = status >= 400 ? errorSummaryOf(payload) : { group: null, code: null };
  const queryAt = request.url.indexOf('?');
  return {
    msn: client.salesUnit.msn,
    partner_id: client.partnerId,
    at_ms: ctx.clock.nowMs(),
    method: request.method,
    route: request.routeOptions.url ?? '',
    // Without the query string: nothing after `?` is kept (cursors, and whatever a client puts there by mistake).
    path: (queryAt === -1 ? request.url : request.url.slice(0, queryAt)).slice(0, MAX_PATH_CHARS),
    status,
    error_group: error.group,
    error_code: error.code,
    latency_us: Math.round(reply.elapsedTime * 1000),
    request_id: headerValue(request, 'x-request-id'),
    order_id: orderIdOf(request),
    system_name: headerValue(request, 'vipps-system-name'),
    system_version: headerValue(request, 'vipps-system-version'),
    plugin_name: headerValue(request, 'vipps-system-plugin-name'),
    plugin_version: headerValue(request, 'vipps-system-plugin-version'),
    msn_header: headerValue(request, 'merchant-serial-number'),
  };
}

/**
 * Records every authenticated call of the routes in `app`'s scope (a call that failed authentication belongs to no
 * sales unit and is not recorded). Only the fields above are kept: never the Authorization header, a token, a key, a
 * secret or a body. The hook appends to the recorder's buffer and returns; writing happens in batches.
 */
export function recordApiCalls(app: FastifyInstance, ctx: AppContext, recorder: ApiCallRecorder): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    // Null until authentication set it (server.ts decorates every request with it).
    const client = request.client as AuthenticatedClient | null;
    if (client !== null) recorder.record(recordOf(ctx, request, reply, client, payload));
    done(null, payload);
  });
}
