import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, once it has been answered: the request (method, URL, host, client), the status and the
 * time taken. Fastify's default writes two ("incoming request" and "request completed"), each a serialisation and a
 * write: a few percent of a cheap call such as `/details` in the profile (bench/README.md). Fastify's other request
 * log lines (errors, unknown routes) stay as they are.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
