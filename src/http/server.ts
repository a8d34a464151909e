import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ApiCallRecorder } from '../core/api-calls/recorder.ts';
import type { AuthenticatedClient } from '../core/auth/access-token.ts';
import type { AppContext } from '../core/context.ts';
import type { KasseMetrics } from '../observability/metrics.ts';
import { registerLenientJsonParsing } from './body-parsing.ts';
import { answerClientError, answerUnknownExpectation, handleError, refuseHostless, sendVippsError } from './errors.ts';
import { RouteMethods } from './method-not-allowed.ts';
import { RateLimiter } from '../channels/ecomm-v2/rate-limit.ts';
import { accessTokenRoutes } from './routes/access-token.ts';
import { ecommV1Routes } from './routes/ecomm-v1.ts';
import { ecommV2Routes } from '../channels/ecomm-v2/routes.ts';
import { reportRoutes } from '../channels/report/routes.ts';
import { settlementRoutes } from '../channels/report/settlement-routes.ts';
import { transactionReportRoutes } from '../channels/report/transaction-report-routes.ts';
import { bankAccountPage } from './routes/kasse/bank-account-page.ts';
import { transactionReportsPage } from './routes/kasse/transaction-reports-page.ts';
import { adminRoutes } from './routes/kasse/admin.ts';
import { apiCallRoutes } from './routes/kasse/api-calls.ts';
import { recordApiCalls } from './api-call-recording.ts';
import { callbackInspectionRoutes, sandboxCallbackRoutes } from './routes/kasse/callbacks.ts';
import { healthRoutes } from './routes/kasse/health.ts';
import { instrumentRequests, metricsRoutes } from './routes/kasse/metrics.ts';
import { sandboxRoutes, type BackgroundWork, type TimeTravel } from './routes/kasse/sandbox.ts';
import { qrRoutes } from './routes/qr.ts';
import { userSideRoutes } from './routes/user-side.ts';
import { userinfoRoutes } from './routes/userinfo.ts';
import { webRoutes } from './routes/web.ts';
import { portalRoutes } from './routes/portal/index.ts';
import { consoleRoutes } from './routes/console/index.ts';
import { addSecurityHeaders } from './web/security-headers.ts';
import { lazyRequestLogger, OneLinePerRequest } from './request-log.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on this server (method and url pattern): the production sweep covers them all. */
    registeredRoutes(): ReadonlyArray<{ url: string; method: string }>;
  }
}

export interface ServerDeps {
  ctx: AppContext;
  work: BackgroundWork;
  /** Present in sandbox mode: the clock the sandbox may move. */
  timeTravel: TimeTravel | null;
  /** Null disables the operator API. */
  adminToken: string | null;
  /** Null: no /metrics and no per-request instrumentation. */
  metrics: KasseMetrics | null;
  /** Null: merchant API calls are not recorded (the API dashboard and checklist then see nothing new). */
  apiCalls: ApiCallRecorder | null;
  /** False: no logging. */
  logger: FastifyBaseLogger | false;
}

/** Requests are small JSON documents; anything larger is refused as bad input, not buffered. */
const BODY_LIMIT_BYTES = 64 * 1024;

/** Secrets never reach the log, whatever a route or plugin decides to log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.client_secret',
  'req.headers["ocp-apim-subscription-key"]',
  'headers.authorization',
  'headers.client_secret',
  'headers["ocp-apim-subscription-key"]',
  'access_token',
  'clientSecret',
  'subscriptionKey',
  'password',
  '*.password',
  'portalPassword',
];

/** Builds the whole HTTP surface. Never listens by itself: main.ts and the tests decide where. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    logController: new OneLinePerRequest(deps.logger || null),
    childLoggerFactory: lazyRequestLogger,
    // Deployed clients call /accessToken/get, /Ecomm/v2/… and add trailing slashes; parameters keep their case.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // The router's own refusals (a bad percent-escape, a parameter over maxParamLength) are bad input like any other:
    // 400 with the Vipps error body, not fastify's default object (and not 414).
    frameworkErrors: (error, request, reply) =>
      sendVippsError(reply, request, 400, { errorGroup: 'InvalidRequest', errorCode: 'path', errorMessage: error.message }),
    clientErrorHandler: answerClientError,
    // Node would answer an HTTP/1.1 request without Host with a bare, empty 400 before any handler; refuseHostless
    // answers it with the Vipps error body instead.
    http: { requireHostHeader: false },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every request has the property authentication sets, from the start: one object shape for all requests (V8).
  app.decorateRequest('client', null as unknown as AuthenticatedClient);
  app.addHook('onRequest', refuseHostless);
  addSecurityHeaders(app);
  // Without a listener Node answers an Expect other than 100-continue with a bare 417; this one gives the Vipps body.
  app.server.on('checkExpectation', answerUnknownExpectation);

  registerLenientJsonParsing(app);
  app.setErrorHandler(handleError);
  const routeMethods = new RouteMethods();
  routeMethods.collectFrom(app);
  app.decorate('registeredRoutes', () => routeMethods.registered());
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routeMethods.allowedFor(path);
    if (allowed.length > 0) {
      return sendVippsError(reply.header('allow', allowed.join(', ')), request, 405, {
        errorGroup: 'InvalidRequest',
        errorCode: 'method',
        errorMessage: `${request.method} is not allowed on ${path}; it answers ${allowed.join(', ')}.`,
      });
    }
    return sendVippsError(reply, request, 404, { errorGroup: 'InvalidRequest', errorCode: 'path', errorMessage: `No such endpoint: ${request.method} ${path}` });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Kasse — Vipps eCommerce API v2', version: '2.0.0', description: 'What this Kasse server serves, generated from its route schemas.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          subscriptionKey: { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/_kasse/docs' });

  const { ctx } = deps;
  if (deps.metrics) {
    instrumentRequests(app, deps.metrics);
    await app.register(metricsRoutes(deps.metrics));
  }
  await app.register(healthRoutes(ctx));
  await app.register(accessTokenRoutes(ctx));
  // The merchant APIs whose calls are recorded per sales unit (the API dashboard and the integration checklist).
  await app.register(async (merchantApis) => {
    if (deps.apiCalls) recordApiCalls(merchantApis, ctx, deps.apiCalls);
    await merchantApis.register(ecommV2Routes(ctx, new RateLimiter(ctx.clock)));
    await merchantApis.register(reportRoutes(ctx));
    await merchantApis.register(settlementRoutes(ctx));
    await merchantApis.register(userinfoRoutes(ctx));
    await merchantApis.register(transactionReportRoutes(ctx));
  });
  await app.register(apiCallRoutes(ctx, deps.apiCalls));
  await app.register(webRoutes({ sandbox: deps.timeTravel !== null }));
  await app.register(ecommV1Routes());
  await app.register(userSideRoutes(ctx));
  await app.register(qrRoutes(ctx));
  await app.register(callbackInspectionRoutes(ctx));
  await app.register(portalRoutes(ctx, deps.apiCalls));
  await app.register(consoleRoutes(ctx));
  if (deps.timeTravel) {
    await app.register(sandboxRoutes(ctx, deps.timeTravel, deps.work, deps.apiCalls));
    await app.register(sandboxCallbackRoutes(ctx));
    await app.register(bankAccountPage(ctx));
    await app.register(transactionReportsPage(ctx));
  }
  if (deps.adminToken) await app.register(adminRoutes(ctx, deps.adminToken));
  return app;
}
