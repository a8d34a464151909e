import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { KasseMetrics } from '../../../observability/metrics.ts';

/** Count and time every request (registered on the root instance before the routes, so it sees all of them). */
export function instrumentRequests(app: FastifyInstance, metrics: KasseMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime);
    done();
  });
}

/** `GET /metrics` in the Prometheus text format. Like the health endpoints it is for the operator's network only. */
export function metricsRoutes(metrics: KasseMetrics): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { tags: ['kasse'], summary: 'Prometheus metrics' } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.scrape()),
    );
  };
}
