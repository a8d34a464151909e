import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppConfig, AppContext } from './core/context.ts';
import type { Clock } from './domain/clock.ts';
import { seedSandboxFixtures } from './core/sandbox/fixtures.ts';
import { buildServer } from './http/server.ts';
import { checkOperatorCredential } from './config.ts';
import type { BackgroundWork, TimeTravel } from './http/routes/kasse/sandbox.ts';
import { JobRunner } from './jobs/runner.ts';
import { KasseMetrics } from './observability/metrics.ts';
import { ApiCallRecorder } from './core/api-calls/recorder.ts';
import { isSqliteFile, type Store } from './store/db.ts';
import { CHANNEL_LISTENERS, openAppContext } from './app-context.ts';
import { isShareable } from './clock.ts';
import { UseCaseWorker, type UseCaseWorkerOptions } from './runtime/use-case-worker.ts';

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
  /**
   * Run the write use cases and the jobs in a worker thread that owns SQLite's write connection (a database file and
   * a clock it can share only; src/runtime/use-case-worker.ts). Default false; `npm start` decides by
   * KASSE_USE_CASE_WORKER.
   */
  useCaseWorker?: boolean;
  /** Kasse cannot go on (the use-case worker crashed). Default: logged; `npm start` exits so it is restarted. */
  onFatal?: (error: Error) => void;
}

export interface Kasse {
  app: FastifyInstance;
  metrics: KasseMetrics | null;
  apiCalls: ApiCallRecorder | null;
  ctx: AppContext;
  jobs: JobRunner;
  /** The thread that runs the write use cases and the jobs, when KasseOptions.useCaseWorker asked for one. */
  useCaseWorker: UseCaseWorker | null;
  /** Where the jobs run (the worker, else `jobs`): what time travel drains. */
  backgroundWork: BackgroundWork;
  store: Store;
  close(): Promise<void>;
}

/** The composition root shared by `npm start` and the tests: storage → context → (use-case worker) → jobs → HTTP. */
export async function createKasse(options: KasseOptions): Promise<Kasse> {
  const production = options.config?.mode === 'production';
  if (production) checkOperatorCredential(options.adminToken ?? null);
  let nudgeJobs: () => void = () => {};
  const opened = await openAppContext({
    databaseUrl: options.databaseUrl,
    clock: options.clock,
    config: options.config,
    onOutboundEnqueued: () => nudgeJobs(),
    operationListeners: CHANNEL_LISTENERS,
  });
  const { store } = opened;
  const logger = options.logger ?? false;
  const metrics = options.metrics === false ? null : new KasseMetrics(opened);
  const reportError = (what: string) => (error: unknown) => {
    if (logger) logger.error({ err: error }, what);
    else console.error(what, error);
  };
  const startJobs = options.startJobs !== false;
  const jobPollIntervalMs = options.jobPollIntervalMs ?? 250;
  const useCaseWorker = options.useCaseWorker
    ? await startUseCaseWorker(options, opened.config, {
        jobPollIntervalMs,
        startJobs,
        onUnexpectedExit: options.onFatal ?? reportError('the use-case worker stopped: payments cannot be written'),
        reports: {
          jobFailed: reportError('background job failed'),
          ...(metrics ? { outboundAttempt: metrics.jobObserver.outboundAttempt, jobPass: (seconds: number) => metrics.observeJobPass(seconds) } : {}),
        },
      })
    : null;
  const ctx: AppContext = useCaseWorker ? { ...opened, useCaseRunner: useCaseWorker } : opened;
  const apiCalls = options.apiCallRecording === false ? null : new ApiCallRecorder(ctx, reportError('recording API calls failed'));
  // With a use-case worker the jobs run there, beside the writes; this runner is not started (a test may drain it).
  const runner = new JobRunner(ctx, {
    pollIntervalMs: jobPollIntervalMs,
    onError: reportError('background job failed'),
    ...(metrics ? { observer: metrics.jobObserver } : {}),
  });
  nudgeJobs = useCaseWorker ? () => useCaseWorker.nudge() : () => runner.nudge();
  const backgroundWork: BackgroundWork = useCaseWorker ?? runner;
  if (ctx.config.mode === 'sandbox') await seedSandboxFixtures(ctx);
  // Production has no sandbox: no time travel, no sandbox routes, whatever the caller passed.
  const app = await buildServer({ ctx, work: backgroundWork, timeTravel: production ? null : options.timeTravel, adminToken: options.adminToken ?? null, logger, metrics, apiCalls });
  if (startJobs && !useCaseWorker) runner.start();
  return {
    app,
    metrics,
    apiCalls,
    ctx,
    jobs: runner,
    useCaseWorker,
    backgroundWork,
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
      // The calls answered last are still buffered: written now, before the store closes (through the worker if any).
      await apiCalls?.close();
      await useCaseWorker?.close();
      await store.close();
    },
  };
}

/** The worker opens the same database file and runs on the same clock: an in-memory database cannot be shared. */
function startUseCaseWorker(options: KasseOptions, config: AppConfig, rest: Pick<UseCaseWorkerOptions, 'jobPollIntervalMs' | 'startJobs' | 'reports' | 'onUnexpectedExit'>): Promise<UseCaseWorker> {
  if (!isSqliteFile(options.databaseUrl)) throw new Error(`the use-case worker needs a SQLite database file, not ${options.databaseUrl}`);
  if (!isShareable(options.clock)) throw new Error('the use-case worker needs a clock it can share (src/clock.ts)');
  return UseCaseWorker.start({ databaseUrl: options.databaseUrl, config, clock: options.clock.shared(), ...rest });
}
