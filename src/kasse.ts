import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { DEFAULT_CONFIG, type AppConfig, type AppContext } from './core/context.ts';
import type { Clock } from './domain/clock.ts';
import { seedSandboxFixtures } from './core/sandbox/fixtures.ts';
import { buildServer } from './http/server.ts';
import { checkOperatorCredential } from './config.ts';
import { deliver } from './outbound/http-delivery.ts';
import type { TimeTravel } from './http/routes/kasse/sandbox.ts';
import { JobRunner } from './jobs/runner.ts';
import { ecommV2CallbackListener } from './channels/ecomm-v2/callback-listener.ts';
import { settlementBookingListener } from './core/settlements/booking-listener.ts';
import type { OperationListener } from './core/context.ts';
import { KasseMetrics } from './observability/metrics.ts';
import { ApiCallRecorder } from './core/api-calls/recorder.ts';
import { migrateToLatest, openStore, type Store } from './store/db.ts';
import { readOrInitMeta } from './store/repos/meta.ts';

/** During a graceful shutdown, how often connections that went idle are closed. */
const IDLE_SWEEP_MS = 50;

export interface KasseOptions {
  databaseUrl: string;
  clock: Clock;
  timeTravel: TimeTravel | null;
  config?: Partial<AppConfig>;
  adminToken?: string | null;
  /** Default false: no logging. */
  logger?: FastifyBaseLogger | false;
  jobPollIntervalMs?: number;
  /** Start the background job loop (tests of the jobs themselves may drive them by hand). */
  startJobs?: boolean;
  /** Serve /metrics and instrument every request (default true; the benchmark measures Kasse without). */
  metrics?: boolean;
  /** Record merchant API calls for the API dashboard and the checklist (default true; the benchmark measures without). */
  apiCallRecording?: boolean;
}

export interface Kasse {
  app: FastifyInstance;
  metrics: KasseMetrics | null;
  apiCalls: ApiCallRecorder | null;
  ctx: AppContext;
  jobs: JobRunner;
  store: Store;
  close(): Promise<void>;
}

/**
 * What happens beside every recorded payment operation, in its transaction: each channel's notification, and the
 * back office's booking of captures and refunds on the sales unit's ledger.
 */
export const CHANNEL_LISTENERS: readonly OperationListener[] = [ecommV2CallbackListener, settlementBookingListener];

/** The composition root shared by `npm start`, the CLI and the tests: storage → context → jobs → HTTP. */
/** Open and migrate the database and build the context the use cases run in (also used by the CLI). */
export async function openAppContext(args: {
  databaseUrl: string;
  clock: Clock;
  config?: Partial<AppConfig> | undefined;
  onOutboundEnqueued: () => void;
  operationListeners: readonly OperationListener[];
}): Promise<AppContext> {
  const store = await openStore(args.databaseUrl);
  await migrateToLatest(store);
  // One signing key per database, so every node of a cluster accepts every node's tokens.
  const signingKeyHex = await readOrInitMeta(store.db, 'access_token_signing_key', () => randomBytes(32).toString('hex'));
  return {
    store,
    clock: args.clock,
    config: { ...DEFAULT_CONFIG, ...args.config },
    tokenSigningKey: Buffer.from(signingKeyHex, 'hex'),
    operationListeners: args.operationListeners,
    onOutboundEnqueued: args.onOutboundEnqueued,
    deliverHttp: deliver,
  };
}

export async function createKasse(options: KasseOptions): Promise<Kasse> {
  const production = options.config?.mode === 'production';
  if (production) checkOperatorCredential(options.adminToken ?? null);
  let jobs: JobRunner | null = null;
  const ctx = await openAppContext({
    databaseUrl: options.databaseUrl,
    clock: options.clock,
    config: options.config,
    onOutboundEnqueued: () => jobs?.nudge(),
    operationListeners: CHANNEL_LISTENERS,
  });
  const { store } = ctx;
  const logger = options.logger ?? false;
  const metrics = options.metrics === false ? null : new KasseMetrics(ctx);
  const reportError = (what: string) => (error: unknown) => {
    if (logger) logger.error({ err: error }, what);
    else console.error(what, error);
  };
  const apiCalls = options.apiCallRecording === false ? null : new ApiCallRecorder(ctx, reportError('recording API calls failed'));
  const runner = new JobRunner(ctx, {
    pollIntervalMs: options.jobPollIntervalMs ?? 250,
    onError: reportError('background job failed'),
    ...(metrics ? { observer: metrics.jobObserver } : {}),
  });
  jobs = runner;
  if (ctx.config.mode === 'sandbox') await seedSandboxFixtures(ctx);
  // Production has no sandbox: no time travel, no sandbox routes, whatever the caller passed.
  const app = await buildServer({ ctx, work: runner, timeTravel: production ? null : options.timeTravel, adminToken: options.adminToken ?? null, logger, metrics, apiCalls });
  if (options.startJobs !== false) runner.start();
  return {
    app,
    metrics,
    apiCalls,
    ctx,
    jobs: runner,
    store,
    /**
     * Graceful: stop accepting and finish the requests in flight (fastify answers 503 to new requests on open
     * connections meanwhile), then let the job pass in flight send its leased calls and record them, then close the store.
     */
    async close() {
      // A keep-alive connection whose request was in flight turns idle only after its answer; the server waits for
      // every connection to end, so idle ones are closed as they appear instead of at their keep-alive timeout.
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      await runner.stop();
      // The calls answered last are still buffered: written now, before the store closes.
      await apiCalls?.close();
      await store.close();
    },
  };
}
