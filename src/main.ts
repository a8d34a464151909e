import { availableParallelism } from 'node:os';
import pino from 'pino';
import { ensureDemoMerchant, type DemoMerchant } from './core/sandbox/sandbox-merchants.ts';
import { ensureSandboxOperator } from './core/sandbox/sandbox-operator.ts';
import { AdjustableClock, systemClock } from './clock.ts';
import { loadConfig, localUrl } from './config.ts';
import { REDACTED_PATHS } from './http/server.ts';
import { createKasse } from './kasse.ts';
import { isSqliteFile, openStore } from './store/db.ts';
import { readMeta, writeMeta } from './store/repos/meta.ts';

const CLOCK_OFFSET_KEY = 'sandbox_clock_offset_ms';

/**
 * The demo merchant's credentials, as a table and as one line to paste into a shell (the README's walk-through reads
 * B, MSN, CID, SECRET and KEY), and whether the real API's rate limits apply to it.
 */
function demoMerchantBanner({ created, credentials, rateLimits }: DemoMerchant, base: string): string[] {
  const limits = rateLimits
    ? "the real API's rate limits apply: initiate 2/min, capture/refund/cancel 5/min, details/status 120/min per order"
    : `rate limits OFF: this database's demo merchant predates them; turn them on with npx kasse sales-units set ${credentials.merchantSerialNumber} --rate-limits`;
  return [
    `${created ? 'Seeded' : 'Demo'} merchant "Kasse Demo Shop" (${limits}):`,
    `  merchantSerialNumber       ${credentials.merchantSerialNumber}`,
    `  client_id                  ${credentials.clientId}`,
    `  client_secret              ${credentials.clientSecret}`,
    `  Ocp-Apim-Subscription-Key  ${credentials.subscriptionKey}`,
    'In a shell (the README walk-through uses these):',
    `  export B=${base} MSN=${credentials.merchantSerialNumber} CID=${credentials.clientId} SECRET='${credentials.clientSecret}' KEY=${credentials.subscriptionKey}`,
    `Merchant portal: ${base}/portal   e-mail ${credentials.portalEmail}   password ${credentials.portalPassword}`,
    `Base URL: ${base}   API docs: ${base}/_kasse/docs   Ready: ${base}/_kasse/health/ready   Metrics: ${base}/metrics`,
  ];
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });

  // The sandbox clock survives restarts: time travelled is not undone by restarting Kasse.
  let clock = new AdjustableClock(systemClock);
  let persistOffset: (offsetMs: number) => Promise<void> = async () => {};
  if (config.mode === 'sandbox') {
    const probe = await openStore(config.databaseUrl);
    const offset = await readMeta(probe.db, CLOCK_OFFSET_KEY).catch(() => undefined);
    await probe.close();
    clock = new AdjustableClock(systemClock, Number(offset ?? 0));
  }

  const kasse = await createKasse({
    databaseUrl: config.databaseUrl,
    clock,
    timeTravel:
      config.mode === 'sandbox'
        ? {
            advance: async (ms) => {
              const now = clock.advance(ms);
              await persistOffset(clock.offsetMs);
              return now;
            },
            backToRealTime: async () => {
              const now = clock.resetOffset();
              await persistOffset(clock.offsetMs);
              return now;
            },
          }
        : null,
    config: {
      publicUrl: config.publicUrl,
      mode: config.mode,
      accessTokenLifetimeSeconds: config.accessTokenLifetimeSeconds,
      apiCallRetentionDays: config.apiCallRetentionDays,
      idleTestUnitDays: config.idleTestUnitDays,
      smtpUrl: config.smtpUrl,
      reportMailFrom: config.reportMailFrom,
      reportPayoutEntryType: config.reportPayoutEntryType,
    },
    adminToken: config.adminToken,
    logger,
    jobPollIntervalMs: config.jobPollIntervalMs,
    onFatal: (error) => {
      logger.fatal({ err: error }, 'Kasse cannot go on; exiting so that it is restarted');
      process.exit(1);
    },
    // Only a SQLite file can be shared with the worker; PostgreSQL scales out with more nodes instead.
    useCaseWorker: isSqliteFile(config.databaseUrl) && (config.useCaseWorker === 'on' || (config.useCaseWorker === 'auto' && availableParallelism() >= 2)),
  });
  persistOffset = (offsetMs) => writeMeta(kasse.store.db, CLOCK_OFFSET_KEY, String(offsetMs));

  await kasse.app.listen({ port: config.port, host: config.host });
  const address = kasse.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  // PORT=0 lets the kernel pick the port: landing URLs and the banner must name the one it picked.
  if (!config.publicUrlGiven) kasse.ctx.config.publicUrl = localUrl(port);
  const base = kasse.ctx.config.publicUrl;
  const writes = kasse.useCaseWorker ? ' (payments written by a worker thread; KASSE_USE_CASE_WORKER=off to keep one thread)' : '';
  const lines = [`Kasse (${config.mode}) listening on http://${config.host}:${port} — storage ${kasse.store.kind}${writes}`];
  if (config.mode === 'sandbox') {
    lines.push(...demoMerchantBanner(await ensureDemoMerchant(kasse.ctx), base));
    const { login } = await ensureSandboxOperator(kasse.ctx);
    lines.push(`Operator console: ${base}/console   e-mail ${login.email}   password ${login.password}   (more: npx kasse operators add EMAIL)`);
  }
  if (config.adminTokenGenerated) lines.push(`Operator API token for this run (set KASSE_ADMIN_TOKEN to fix it): ${config.adminToken}`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  let closing = false;
  // Graceful: no new connections, requests and outbound calls in flight finish and are recorded, then the store
  // closes (kasse.close). Bounded by KASSE_SHUTDOWN_TIMEOUT_MS; what is cut off then is what a crash would cut off.
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing the requests and outbound calls in flight');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await kasse.close();
      logger.info('shut down cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
