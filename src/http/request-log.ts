import type { FastifyInstance } from 'fastify';

/**
 * One log line per request, once it has been answered: the request (method, URL, host, client), the status and the
 * time taken. Fastify's default writes two ("incoming request" and "request completed"), each a serialisation and a
 * write: a few percent of a cheap call such as `/details` in the profile (bench/README.md).
 */
export function logAnsweredRequests(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });
}
