import { randomBytes } from 'node:crypto';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  mode: 'sandbox' | 'production';
  publicUrl: string;
  /** PUBLIC_URL was set; otherwise publicUrl is http://localhost:<port> and follows the port actually bound (PORT=0). */
  publicUrlGiven: boolean;
  adminToken: string | null;
  adminTokenGenerated: boolean;
  logLevel: string;
  jobPollIntervalMs: number;
  accessTokenLifetimeSeconds: number;
  /** How long a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Recorded merchant API calls older than this are pruned. */
  apiCallRetentionDays: number;
  /** Production mode: test sales units unused this many days are deactivated (0: never). */
  idleTestUnitDays: number;
  /** SMTP_URL: transaction reports are e-mailed through it when set. */
  smtpUrl: string | null;
  reportMailFrom: string;
  reportPayoutEntryType: 'scheduled-for-payout' | 'payout-scheduled';
  /**
   * KASSE_USE_CASE_WORKER: run the write use cases and the jobs in a worker thread that owns SQLite's write connection
   * (src/runtime/use-case-worker.ts). `auto` (default): on a machine with two cores or more. Only a SQLite file can be
   * shared with the worker: PostgreSQL and an in-memory database ignore it.
   */
  useCaseWorker: 'auto' | 'on' | 'off';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

function payoutEntryType(raw: string | undefined): Config['reportPayoutEntryType'] {
  if (raw === undefined || raw === '' || raw === 'scheduled-for-payout') return 'scheduled-for-payout';
  if (raw === 'payout-scheduled') return raw;
  throw new Error(`KASSE_REPORT_PAYOUT_ENTRY must be scheduled-for-payout or payout-scheduled, got ${JSON.stringify(raw)}`);
}

function onOffAuto(env: NodeJS.ProcessEnv, name: string): 'auto' | 'on' | 'off' {
  const raw = env[name];
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'auto' || raw === 'on' || raw === 'off') return raw;
  throw new Error(`${name} must be auto, on or off, got ${JSON.stringify(raw)}`);
}

/** A production operator token is a long random secret: anyone who has it runs the platform. */
export const MIN_PRODUCTION_ADMIN_TOKEN_LENGTH = 32;

/**
 * Production needs the operator's credential: without it nobody could create users or merchants, and a made-up one
 * printed to the log is no secret. Thrown at start, before anything listens.
 */
export function checkOperatorCredential(token: string | null): void {
  if (token === null) {
    throw new Error(
      'KASSE_MODE=production needs KASSE_ADMIN_TOKEN, the operator credential for /_kasse/admin (e.g. KASSE_ADMIN_TOKEN=$(openssl rand -base64 32)). Kasse did not start.',
    );
  }
  if (token.length < MIN_PRODUCTION_ADMIN_TOKEN_LENGTH) {
    throw new Error(`KASSE_ADMIN_TOKEN must be at least ${MIN_PRODUCTION_ADMIN_TOKEN_LENGTH} characters in production (e.g. $(openssl rand -base64 32)). Kasse did not start.`);
  }
}

/** One typed Config from the environment; every knob has a default that works on a laptop. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 8080);
  const mode = env.KASSE_MODE === 'production' ? 'production' : 'sandbox';
  if (env.KASSE_MODE !== undefined && env.KASSE_MODE !== 'production' && env.KASSE_MODE !== 'sandbox') {
    throw new Error(`KASSE_MODE must be sandbox or production, got ${JSON.stringify(env.KASSE_MODE)}`);
  }
  // Sandbox: an operator token is made up for this run and printed; production refuses to start without one.
  const configuredToken = env.KASSE_ADMIN_TOKEN?.trim() || null;
  if (mode === 'production') checkOperatorCredential(configuredToken);
  const adminToken = configuredToken ?? (mode === 'sandbox' ? randomBytes(18).toString('base64url') : null);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? 'sqlite:./data/kasse.sqlite',
    mode,
    publicUrl: (env.PUBLIC_URL ?? localUrl(port)).replace(/\/+$/, ''),
    publicUrlGiven: env.PUBLIC_URL !== undefined,
    adminToken,
    adminTokenGenerated: configuredToken === null && adminToken !== null,
    logLevel: env.LOG_LEVEL ?? 'info',
    jobPollIntervalMs: integer(env, 'KASSE_JOB_POLL_MS', 250),
    accessTokenLifetimeSeconds: integer(env, 'KASSE_TOKEN_LIFETIME_SECONDS', 3600),
    // Below the 30 s an orchestrator (Kubernetes' default grace period) waits before SIGKILL.
    shutdownTimeoutMs: integer(env, 'KASSE_SHUTDOWN_TIMEOUT_MS', 25_000),
    apiCallRetentionDays: integer(env, 'KASSE_API_CALL_RETENTION_DAYS', 14),
    idleTestUnitDays: integer(env, 'KASSE_IDLE_TEST_DAYS', 30),
    smtpUrl: env.SMTP_URL?.trim() || null,
    reportMailFrom: env.KASSE_REPORT_MAIL_FROM?.trim() || 'Kasse <reports@kasse.invalid>',
    reportPayoutEntryType: payoutEntryType(env.KASSE_REPORT_PAYOUT_ENTRY),
    useCaseWorker: onOffAuto(env, 'KASSE_USE_CASE_WORKER'),
  };
}

/** The public URL when PUBLIC_URL is not set: this machine, on the port Kasse listens on. */
export function localUrl(port: number): string {
  return `http://localhost:${port}`;
}
