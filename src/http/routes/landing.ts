import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app/context.ts';
import { approveFromLanding, cancelFromLanding, landingView } from '../../app/payments/landing.ts';
import { VippsError } from '../../domain/errors.ts';
import { landingPage, messagePage } from '../views/landing-page.ts';

const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });

/**
 * The `url` from initiate. A plain confirm/cancel page for now; the simulated Vipps app and banks replace
 * the confirm step with the user-side work (issue 3).
 */
export function landingRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/dwo-api-application/v1/deeplink/vippsgateway',
      { schema: { hide: true, querystring: Type.Object({ token: Type.String({ maxLength: 100 }), v: Type.Optional(Type.String()) }) } },
      async (request, reply) => {
        const view = await landingView(ctx, request.query.token);
        reply.type('text/html; charset=utf-8');
        if (!view) return reply.code(404).send(messagePage('Unknown payment', 'This payment link is not valid.'));
        return reply.send(landingPage(view, request.query.token, ctx.clock.nowMs()));
      },
    );

    app.post(
      '/_kasse/landing/:token/approve',
      { schema: { hide: true, params: Token, body: Type.Object({ mobileNumber: Type.String({ maxLength: 20 }) }) } },
      async (request, reply) => {
        try {
          const fallBack = await approveFromLanding(ctx, request.params.token, request.body.mobileNumber.replace(/\s/g, ''));
          if (fallBack === null) return reply.code(404).send({ error: 'unknown payment' });
          return { redirect: fallBack };
        } catch (error) {
          if (error instanceof VippsError) return reply.code(400).send({ error: error.message });
          throw error;
        }
      },
    );

    app.post('/_kasse/landing/:token/cancel', { schema: { hide: true, params: Token } }, async (request, reply) => {
      try {
        const fallBack = await cancelFromLanding(ctx, request.params.token);
        if (fallBack === null) return reply.code(404).send({ error: 'unknown payment' });
        return { redirect: fallBack };
      } catch (error) {
        if (error instanceof VippsError) return reply.code(400).send({ error: error.message });
        throw error;
      }
    });
  };
}
