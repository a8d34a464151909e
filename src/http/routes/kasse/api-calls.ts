import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticate } from '../../../channels/ecomm-v2/authentication.ts';
import { recordedCalls, type ApiCallFilter } from '../../../core/api-calls/list.ts';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import { integrationChecklist } from '../../../core/checklist/integration-checklist.ts';
import type { AppContext } from '../../../core/context.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import type { ApiCallRow } from '../../../store/schema.ts';

const TAGS = ['API dashboard (Kasse)'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];
const DEFAULT_LIMIT = 50;

const ApiCallsQuery = Type.Object({
  endpoint: Type.Optional(Type.String({ maxLength: 200, description: 'A route as the items show it, with or without its method: "POST /ecomm/v2/payments/:orderId/capture"' })),
  status: Type.Optional(Type.String({ pattern: '^([1-5]\\d\\d|[1-5]xx)$', description: 'An exact status (404) or a class (4xx)' })),
  orderId: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })),
});

function filterOf(query: { endpoint?: string; status?: string; orderId?: string; cursor?: string; limit?: string }): ApiCallFilter {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (limit < 1 || limit > 200) throw new InvalidRequestError('limit', 'limit is from 1 to 200');
  const filter: ApiCallFilter = { limit };
  if (query.endpoint !== undefined) {
    const match = /^(?:([A-Z]+)\s+)?(\/\S*)$/.exec(query.endpoint.trim());
    if (!match) throw new InvalidRequestError('endpoint', 'endpoint is a route, optionally after its method: "GET /ecomm/v2/payments/:orderId/details"');
    if (match[1] !== undefined) filter.method = match[1];
    filter.route = match[2]!;
  }
  if (query.status !== undefined) {
    if (query.status.endsWith('xx')) filter.statusClass = Number(query.status[0]);
    else filter.status = Number(query.status);
  }
  if (query.orderId !== undefined) filter.orderId = query.orderId;
  if (query.cursor !== undefined) filter.beforeId = Number(query.cursor);
  return filter;
}

function apiCallOf(call: ApiCallRow) {
  return {
    id: Number(call.id),
    time: isoTimestamp(Number(call.at_ms)),
    endpoint: `${call.method} ${call.route}`,
    method: call.method,
    path: call.path,
    status: call.status,
    errorGroup: call.error_group,
    errorCode: call.error_code,
    latencyMs: Number(call.latency_us) / 1000,
    requestId: call.request_id,
    orderId: call.order_id,
    merchantSerialNumberHeader: call.msn_header,
    viaPartnerKey: call.partner_id !== null,
    vippsSystem: { name: call.system_name, version: call.system_version, pluginName: call.plugin_name, pluginVersion: call.plugin_version },
  };
}

/**
 * The merchant's view of its own API traffic and the integration checklist graded from it, with the keys of its sales
 * unit (a partner's keys with Merchant-Serial-Number): `GET /_kasse/api-calls` and `GET /_kasse/checklist`.
 * Both write this node's buffered recordings first, so a script sees the calls it just made.
 */
export function apiCallRoutes(ctx: AppContext, recorder: ApiCallRecorder | null): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));

    app.get(
      '/_kasse/api-calls',
      { schema: { tags: TAGS, summary: 'The sales unit’s recorded API calls, newest first (filter by endpoint, status, orderId)', security, querystring: ApiCallsQuery } },
      async (request) => {
        const filter = filterOf(request.query);
        await recorder?.flush();
        const page = await recordedCalls(ctx, request.client.salesUnit.msn, filter);
        return {
          merchantSerialNumber: request.client.salesUnit.msn,
          retentionDays: ctx.config.apiCallRetentionDays,
          items: page.calls.map(apiCallOf),
          nextCursor: page.nextBeforeId === null ? null : String(page.nextBeforeId),
        };
      },
    );

    app.get(
      '/_kasse/checklist',
      { schema: { tags: TAGS, summary: 'The integration checklist, graded from recorded traffic and the sales unit’s data', security } },
      async (request) => {
        await recorder?.flush();
        const items = await integrationChecklist(ctx, request.client.salesUnit);
        const count = (status: string) => items.filter((i) => i.status === status).length;
        return {
          merchantSerialNumber: request.client.salesUnit.msn,
          generatedAt: isoTimestamp(ctx.clock.nowMs()),
          summary: { met: count('met'), notMet: count('not_met'), notExercised: count('not_exercised') },
          items,
        };
      },
    );
  };
}
