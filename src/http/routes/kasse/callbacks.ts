import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addFaultRule, clearFaultRules, faultRules } from '../../../core/callbacks/faults.ts';
import { listOutboundCalls, listRecentOutboundCalls, MAX_OUTBOUND_LISTED, replayOutbound } from '../../../core/callbacks/inspect.ts';
import type { AppContext } from '../../../core/context.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import type { FaultKind } from '../../../store/schema.ts';
import { authenticate } from '../../../channels/ecomm-v2/authentication.ts';
import { OrderId } from '../../../channels/ecomm-v2/schemas.ts';
import { callbacksPage } from '../../views/callbacks-page.ts';

const security = [{ bearerAuth: [], subscriptionKey: [] }];
const Msn = Type.String({ pattern: '^\\d{5,6}$' });
/** Query strings and path parameters arrive as text (type coercion is off). */
const Limit = Type.String({ pattern: '^\\d{1,4}$', description: `How many calls, newest first (1–${MAX_OUTBOUND_LISTED}, default 50)` });
/** Rows on the live callbacks page. */
const PAGE_ROWS = 100;
const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,15}$' }) });

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (limit < 1 || limit > MAX_OUTBOUND_LISTED) throw new InvalidRequestError('limit', `limit must be between 1 and ${MAX_OUTBOUND_LISTED}`);
  return limit;
}

/**
 * A merchant's view of the calls Kasse made to it, and replay: `/_kasse/callbacks`, authenticated exactly
 * like the ecomm v2 API and scoped to the keys' sales unit.
 */
export function callbackInspectionRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const tags = ['callbacks'];
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));

    app.get(
      '/_kasse/callbacks',
      {
        schema: {
          tags,
          security,
          summary: 'Outbound calls (callbacks) to your sales unit with every attempt, newest first',
          querystring: Type.Object({ orderId: Type.Optional(OrderId), limit: Type.Optional(Limit) }),
        },
      },
      async (request) => {
        const { orderId, limit } = request.query;
        const bounded = limitOf(limit);
        return {
          callbacks: await listOutboundCalls(ctx, request.client.salesUnit.msn, {
            ...(orderId !== undefined ? { orderId } : {}),
            ...(bounded !== undefined ? { limit: bounded } : {}),
          }),
        };
      },
    );

    app.post(
      '/_kasse/callbacks/:id/replay',
      { schema: { tags, security, summary: 'Send an outbound call again, as a new call with the same URL, headers and body', params: IdParams } },
      async (request, reply) => reply.code(201).send(await replayOutbound(ctx, request.client.salesUnit.msn, Number(request.params.id))),
    );
  };
}

function faultView(rule: { id: number; msn: string; kind: FaultKind; remaining: number; delay_ms: number; created_at_ms: number }) {
  return {
    id: rule.id,
    merchantSerialNumber: rule.msn,
    kind: rule.kind,
    remaining: rule.remaining,
    delayMs: rule.delay_ms,
    createdAt: isoTimestamp(rule.created_at_ms),
  };
}

/**
 * Sandbox only (no auth): fault rules that drop or delay a sales unit's next callbacks or slow its shipping
 * calls, and the live page of every merchant's callbacks with a replay button.
 */
export function sandboxCallbackRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const tags = ['sandbox'];
  return async (app) => {
    app.post(
      '/_kasse/sandbox/faults',
      {
        schema: {
          tags,
          summary: "Drop or delay a sales unit's next payment callbacks, or slow its next shipping-details calls",
          body: Type.Object({
            merchantSerialNumber: Msn,
            kind: Type.Union([Type.Literal('drop_callbacks'), Type.Literal('delay_callbacks'), Type.Literal('slow_shipping')]),
            count: Type.Integer({ minimum: 1, maximum: 1000 }),
            delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
          }),
        },
      },
      async (request, reply) => {
        const { merchantSerialNumber, kind, count, delayMs } = request.body;
        if (kind !== 'drop_callbacks' && delayMs === undefined) throw new InvalidRequestError('delayMs', `delayMs is required for ${kind}`);
        const rule = await addFaultRule(ctx, { msn: merchantSerialNumber, kind, count, delayMs: kind === 'drop_callbacks' ? 0 : (delayMs ?? 0) });
        return reply.code(201).send(faultView(rule));
      },
    );

    app.get(
      '/_kasse/sandbox/faults',
      {
        schema: {
          tags,
          summary: 'Fault rules with applications left, of one sales unit or all',
          querystring: Type.Object({ merchantSerialNumber: Type.Optional(Msn) }),
        },
      },
      async (request) => (await faultRules(ctx, request.query.merchantSerialNumber)).map(faultView),
    );

    app.delete(
      '/_kasse/sandbox/faults',
      {
        schema: {
          tags,
          summary: "Remove a sales unit's fault rules",
          querystring: Type.Object({ merchantSerialNumber: Msn }),
        },
      },
      async (request) => ({ deleted: await clearFaultRules(ctx, request.query.merchantSerialNumber) }),
    );

    app.get('/_kasse/sandbox/callbacks', { schema: { hide: true } }, async (_request, reply) => {
      const calls = await listRecentOutboundCalls(ctx, { limit: PAGE_ROWS });
      return reply.type('text/html; charset=utf-8').send(callbacksPage({ nowMs: ctx.clock.nowMs(), calls }));
    });

    app.get(
      '/_kasse/sandbox/callbacks.json',
      {
        schema: {
          tags,
          summary: "The newest outbound calls of every sales unit (the live callbacks page's data)",
          querystring: Type.Object({ merchantSerialNumber: Type.Optional(Msn), limit: Type.Optional(Limit) }),
        },
      },
      async (request) => {
        const { merchantSerialNumber, limit } = request.query;
        const calls = await listRecentOutboundCalls(ctx, {
          ...(merchantSerialNumber !== undefined ? { msn: merchantSerialNumber } : {}),
          limit: limitOf(limit) ?? PAGE_ROWS,
        });
        return { now: isoTimestamp(ctx.clock.nowMs()), callbacks: calls };
      },
    );

    app.post(
      '/_kasse/sandbox/callbacks/:id/replay',
      { schema: { tags, summary: "Send any sales unit's outbound call again (the callbacks page's replay button)", params: IdParams } },
      async (request, reply) => reply.code(201).send(await replayOutbound(ctx, null, Number(request.params.id))),
    );
  };
}
