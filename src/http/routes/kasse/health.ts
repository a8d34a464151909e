import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { pingDatabase } from '../../../store/db.ts';

/** 200 once the database answers: what load balancers and the test harness wait for. */
export function healthRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/_kasse/health', { schema: { tags: ['kasse'], summary: 'Readiness' } }, async (_request, reply) => {
      await pingDatabase(ctx.store.db);
      return reply.send({ status: 'ok', storage: ctx.store.kind, mode: ctx.config.mode, now: new Date(ctx.clock.nowMs()).toISOString() });
    });
  };
}
