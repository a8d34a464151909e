import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/** What Fastify's own request serializer writes of a request. */
function requestSummary(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url,
    version: request.headers['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * One log line per request, once it has been answered: the request (method, URL, host, client), the status and the
 * time taken. Fastify's default writes two ("incoming request" and "request completed"), each a serialisation and a
 * write: a few percent of a cheap call such as `/details` in the profile (bench/README.md). Fastify's other request
 * log lines (errors, unknown routes) stay as they are.
 *
 * The completed line goes through a child of the server's logger without redaction, carrying the request id as a
 * field: the same line as the request's logger would write, but nothing in it can hold a secret (no header, no body),
 * and the redaction paths cost three quarters of it (bench/README.md, session 7). Without a logger (null) there is
 * no line, as there is none from the request's disabled logger.
 */
export class OneLinePerRequest extends LogController {
  readonly #completed: FastifyBaseLogger | null;

  constructor(serverLogger: FastifyBaseLogger | null) {
    super();
    this.#completed = serverLogger?.child({}, { redact: { paths: [], censor: '[redacted]' } }) ?? null;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const responseTime = reply.elapsedTime;
    if (error) reply.log.error({ req: request, res: reply, responseTime, err: error }, 'request errored');
    else this.#completed?.info({ reqId: request.id, req: requestSummary(request), res: { statusCode: reply.statusCode }, responseTime }, 'request completed');
  }
}
