import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import type { AppConfig } from '../../src/core/context.ts';
import { createKasse, type Kasse } from '../../src/kasse.ts';
import { CallbackReceiver } from './callback-receiver.ts';
import { freshDatabase, type DialectName } from './databases.ts';

/** A Monday in January, 10:00 UTC: far from month ends and daylight-saving changes. */
export const TEST_EPOCH_MS = Date.parse('2026-01-05T10:00:00.000Z');
export const ADMIN_TOKEN = 'test-admin-token';
/** Production refuses an operator token shorter than 32 characters. */
export const PRODUCTION_ADMIN_TOKEN = 'test-production-operator-token-0123456789';

export interface TestKasse {
  kasse: Kasse;
  baseUrl: string;
  clock: ManualClock;
  dialect: DialectName;
  /** The test's own database, for tools that open it themselves (the CLI). */
  databaseUrl: string;
  /** Move the fake clock and run everything that became due, as POST /_kasse/sandbox/clock does. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Kasse on 127.0.0.1:<ephemeral port> with its own database and a fake clock. Background jobs run
 * (timers are real; what is due follows the fake clock) unless `startJobs: false`.
 */
export async function startTestKasse(
  options: { dialect?: DialectName; startJobs?: boolean; config?: Partial<AppConfig>; adminToken?: string; useCaseWorker?: boolean } = {},
): Promise<TestKasse> {
  const dialect = options.dialect ?? 'sqlite';
  const database = await freshDatabase(dialect);
  const clock = new ManualClock(TEST_EPOCH_MS);
  const kasse = await createKasse({
    databaseUrl: database.url,
    clock,
    timeTravel: { advance: async (ms) => clock.advance(ms), backToRealTime: async () => clock.resetOffset() },
    adminToken: options.adminToken ?? ADMIN_TOKEN,
    startJobs: options.startJobs ?? true,
    jobPollIntervalMs: 50,
    config: { ...options.config },
    // KASSE_TEST_USE_CASE_WORKER=1: the SQLite suites run with the use-case worker (src/runtime/use-case-worker.ts).
    useCaseWorker: options.useCaseWorker ?? (dialect === 'sqlite' && process.env.KASSE_TEST_USE_CASE_WORKER === '1'),
  });
  await kasse.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = kasse.app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  kasse.ctx.config.publicUrl = baseUrl;
  return {
    kasse,
    baseUrl,
    clock,
    dialect,
    databaseUrl: database.url,
    async advance(ms) {
      clock.advance(ms);
      await kasse.backgroundWork.drain();
    },
    async close() {
      await kasse.close();
      await database.drop();
    },
  };
}

export interface KasseWithReceiver {
  k: TestKasse;
  /** The merchant's server: callbackPrefix, fallBack and the other merchant URLs point here. */
  receiver: CallbackReceiver;
  /** Closes the receiver, then the Kasse. */
  close(): Promise<void>;
}

/** A test Kasse (as startTestKasse) and a CallbackReceiver playing the merchant's server. */
export async function startKasseWithReceiver(options: Parameters<typeof startTestKasse>[0] = {}): Promise<KasseWithReceiver> {
  const k = await startTestKasse(options);
  const receiver = await new CallbackReceiver().start();
  return {
    k,
    receiver,
    async close() {
      await receiver.close();
      await k.close();
    },
  };
}

/**
 * For the describe block it is called in: before() starts a test Kasse and a CallbackReceiver and hands them to
 * `onStarted` (to keep them, and to set the receiver's behaviour); after() closes them.
 */
export function setupKasseWithReceiver(options: Parameters<typeof startTestKasse>[0], onStarted: (started: KasseWithReceiver) => void): void {
  let started: KasseWithReceiver | undefined;
  before(async () => {
    started = await startKasseWithReceiver(options);
    onStarted(started);
  });
  after(() => started?.close());
}
