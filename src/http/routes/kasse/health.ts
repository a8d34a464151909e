import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { pendingMigrations, pingDatabase } from '../../../store/db.ts';

/**
 * Liveness and readiness, separately, as an orchestrator wants them:
 *  - `/_kasse/health/live`: the process answers (restart it when this fails);
 *  - `/_kasse/health/ready`: the database answers and every migration of this code has run (send traffic only then;
 *    503 with the reason otherwise, and 503 from every route once a graceful shutdown has begun);
 *  - `/_kasse/health`: the original readiness check, kept for the harness and existing probes.
 */
export function healthRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/_kasse/health', { schema: { tags: ['kasse'], summary: 'Readiness (the database answers)' } }, async (_request, reply) => {
      await pingDatabase(ctx.store.db);
      return reply.send({ status: 'ok', storage: ctx.store.kind, mode: ctx.config.mode, now: new Date(ctx.clock.nowMs()).toISOString() });
    });

    app.get('/_kasse/health/live', { schema: { tags: ['kasse'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

    app.get('/_kasse/health/ready', { schema: { tags: ['kasse'], summary: 'Readiness: database reachable, migrations done' } }, async (request, reply) => {
      try {
        await pingDatabase(ctx.store.db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the database does not answer');
        return reply.code(503).send({ status: 'unavailable', reason: 'the database does not answer' });
      }
      const pending = await pendingMigrations(ctx.store);
      if (pending.length > 0) return reply.code(503).send({ status: 'unavailable', reason: `migrations not run: ${pending.join(', ')}` });
      return { status: 'ready', storage: ctx.store.kind };
    });
  };
}
