import type { FastifyInstance } from 'fastify';
import { apiCallFilterOf } from '../../../core/api-calls/filter.ts';
import { recordedCalls } from '../../../core/api-calls/list.ts';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import { REQUIRED_ENDPOINTS } from '../../../core/checklist/integration-checklist.ts';
import type { AppContext } from '../../../core/context.ts';
import { given } from '../../../core/portal/form-input.ts';
import { ownUnit } from '../../../core/portal/scope.ts';
import { existingOrders } from '../../../store/repos/portal.ts';
import { apiCallOf, type ApiCallView } from '../../views/api-call-view.ts';
import { apiCallsHref, paymentHref } from './links.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';

type Query = { msn?: string; endpoint?: string; status?: string; orderId?: string; cursor?: string };
const FILTER_FIELDS = ['msn', 'endpoint', 'status', 'orderId'] as const;
/** What the endpoint field suggests: the ecomm v2 endpoints an integration uses. */
const ENDPOINT_SUGGESTIONS = [...REQUIRED_ENDPOINTS.map((e) => `${e.method} ${e.route}`), 'GET /ecomm/v2/payments/:orderId/status'];
const STATUS_SUGGESTIONS = ['2xx', '4xx', '5xx', '400', '401', '402', '404', '409', '429'];

function statusTone(status: number): string {
  if (status >= 200 && status < 300) return 'ok';
  return status >= 400 ? 'bad' : '';
}

function systemText(call: ApiCallView): string {
  const { name, version, pluginName, pluginVersion } = call.vippsSystem;
  const system = [name, version].filter((part) => part !== null).join(' ');
  const plugin = [pluginName, pluginVersion].filter((part) => part !== null).join(' ');
  return [system, plugin].filter((part) => part !== '').join(' · ');
}

/**
 * GET /portal/api-calls (developers, admins): the merchant API calls of the user's sales units as Kasse recorded
 * them, newest first, the same items as `GET /_kasse/api-calls`; filter by sales unit, endpoint, status (404 or 4xx)
 * and orderId, older pages by keyset. A call about an order that is a payment links to its payment page.
 */
export function apiCallsPage(app: FastifyInstance, ctx: AppContext, recorder: ApiCallRecorder | null): void {
  app.get<{ Querystring: Query }>('/portal/api-calls', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewIntegration');
    // Empty fields are "any" here (the form sends them all); the JSON endpoint refuses an empty endpoint instead.
    const input = Object.fromEntries(FILTER_FIELDS.map((field) => [field, given(request.query[field])])) as Record<(typeof FILTER_FIELDS)[number], string | undefined>;
    const msns = input.msn === undefined ? user.scope.msns : [ownUnit(user.scope, input.msn).msn];
    const cursor = given(request.query.cursor);
    const filter = apiCallFilterOf({ endpoint: input.endpoint, status: input.status, orderId: input.orderId, cursor });
    // The recorder writes in batches: a developer who just made a call sees it.
    await recorder?.flush();
    const page = await recordedCalls(ctx, msns, filter);
    const calls = page.calls.map((row) => ({ row, view: apiCallOf(row) }));
    const orderIds = [...new Set(calls.flatMap(({ view }) => (view.orderId === null ? [] : [view.orderId])))];
    const payments = new Set((await existingOrders(ctx.store.db, msns, orderIds)).map((p) => `${p.msn} ${p.order_id}`));
    const current = { msn: input.msn ?? '', endpoint: input.endpoint ?? '', status: input.status ?? '', orderId: input.orderId ?? '' };
    return sendPortalPage(reply, user, {
      template: 'api-calls',
      current: 'api-calls',
      title: 'API calls',
      data: {
        filter: current,
        retentionDays: ctx.config.apiCallRetentionDays,
        pageSize: filter.limit,
        units: user.scope.units.length > 1 ? user.scope.units.map((u) => ({ msn: u.msn, name: u.name })) : [],
        endpoints: ENDPOINT_SUGGESTIONS,
        statuses: STATUS_SUGGESTIONS,
        newest: cursor === undefined ? null : apiCallsHref(current),
        older: page.nextBeforeId === null ? null : apiCallsHref({ ...current, cursor: String(page.nextBeforeId) }),
        calls: calls.map(({ row, view }) => ({
          id: view.id,
          time: { date: view.time.slice(0, 10), clock: view.time.slice(11, 19) },
          msn: row.msn,
          method: view.method,
          path: view.path,
          endpoint: view.endpoint,
          endpointHref: apiCallsHref({ ...current, endpoint: view.endpoint }),
          status: view.status,
          tone: statusTone(view.status),
          failed: view.status >= 400,
          error: [view.errorGroup, view.errorCode].filter((part) => part !== null).join(' · '),
          latency: `${view.latencyMs.toLocaleString('en', { maximumFractionDigits: 1 })} ms`,
          requestId: view.requestId ?? '',
          system: systemText(view),
          viaPartnerKey: view.viaPartnerKey,
          msnHeader: view.merchantSerialNumberHeader ?? '',
          orderId: view.orderId,
          paymentHref: view.orderId !== null && payments.has(`${row.msn} ${view.orderId}`) ? paymentHref(row.msn, view.orderId) : null,
          orderCallsHref: view.orderId === null ? null : apiCallsHref({ msn: current.msn, orderId: view.orderId }),
        })),
      },
    });
  });
}
