import pino from 'pino';
import { ensureDemoMerchant } from './core/sandbox/sandbox-merchants.ts';
import { AdjustableClock, systemClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { REDACTED_PATHS } from './http/server.ts';
import { createKasse } from './kasse.ts';
import { openStore } from './store/db.ts';
import { readMeta, writeMeta } from './store/repos/meta.ts';

const CLOCK_OFFSET_KEY = 'sandbox_clock_offset_ms';

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
          }
        : null,
    config: { publicUrl: config.publicUrl, mode: config.mode, accessTokenLifetimeSeconds: config.accessTokenLifetimeSeconds },
    adminToken: config.adminToken,
    logger,
    jobPollIntervalMs: config.jobPollIntervalMs,
  });
  persistOffset = (offsetMs) => writeMeta(kasse.store.db, CLOCK_OFFSET_KEY, String(offsetMs));

  await kasse.app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl;
  const lines = [`Kasse (${config.mode}) listening on http://${config.host}:${config.port} — storage ${kasse.store.kind}`];
  if (config.mode === 'sandbox') {
    const { created, credentials } = await ensureDemoMerchant(kasse.ctx);
    lines.push(
      `${created ? 'Seeded' : 'Demo'} merchant "Kasse Demo Shop":`,
      `  merchantSerialNumber       ${credentials.merchantSerialNumber}`,
      `  client_id                  ${credentials.clientId}`,
      `  client_secret              ${credentials.clientSecret}`,
      `  Ocp-Apim-Subscription-Key  ${credentials.subscriptionKey}`,
      `Base URL: ${base}   API docs: ${base}/_kasse/docs   Health: ${base}/_kasse/health`,
    );
  }
  if (config.adminTokenGenerated) lines.push(`Operator API token for this run (set KASSE_ADMIN_TOKEN to fix it): ${config.adminToken}`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await kasse.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
