import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticate } from '../../../channels/ecomm-v2/authentication.ts';
import { apiCallFilterOf } from '../../../core/api-calls/filter.ts';
import { recordedCalls } from '../../../core/api-calls/list.ts';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import { checklistSummary, integrationChecklist } from '../../../core/checklist/integration-checklist.ts';
import type { AppContext } from '../../../core/context.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import { apiCallOf } from '../../views/api-call-view.ts';

const TAGS = ['API dashboard (Kasse)'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];

const ApiCallsQuery = Type.Object({
  endpoint: Type.Optional(Type.String({ maxLength: 200, description: 'A route as the items show it, with or without its method: "POST /ecomm/v2/payments/:orderId/capture"' })),
  status: Type.Optional(Type.String({ pattern: '^([1-5]\\d\\d|[1-5]xx)$', description: 'An exact status (404) or a class (4xx)' })),
  orderId: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })),
});

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
        const filter = apiCallFilterOf(request.query);
        await recorder?.flush();
        const page = await recordedCalls(ctx, [request.client.salesUnit.msn], filter);
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
        return {
          merchantSerialNumber: request.client.salesUnit.msn,
          generatedAt: isoTimestamp(ctx.clock.nowMs()),
          summary: checklistSummary(items),
          items,
        };
      },
    );
  };
}
