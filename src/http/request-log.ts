import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

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

type LogArguments = Parameters<FastifyBaseLogger['info']>;

/**
 * The logger of one request (`request.log`), made on its first use. Fastify makes a child of the server's logger for
 * every request, with the request id bound in, and pino serialises the bindings then; but a request logs through it
 * only when something goes wrong (the one line per request goes through OneLinePerRequest). That was 1.5 % of the
 * main thread's CPU per `/details` call (bench/README.md, session 15). The child is made, with the same bindings and
 * options, by the first call that logs.
 */
class RequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  fatal(...args: LogArguments): void {
    this.#logger.fatal(...args);
  }

  error(...args: LogArguments): void {
    this.#logger.error(...args);
  }

  warn(...args: LogArguments): void {
    this.#logger.warn(...args);
  }

  info(...args: LogArguments): void {
    this.#logger.info(...args);
  }

  debug(...args: LogArguments): void {
    this.#logger.debug(...args);
  }

  trace(...args: LogArguments): void {
    this.#logger.trace(...args);
  }

  silent(...args: LogArguments): void {
    this.#logger.silent(...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}

/** Fastify's childLoggerFactory: each request's logger, made when first used (RequestLogger). */
export const lazyRequestLogger = (parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
  new RequestLogger(parent, bindings, options);
