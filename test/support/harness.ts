import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../src/clock.ts';
import type { AppConfig } from '../../src/app/context.ts';
import { createKasse, type Kasse } from '../../src/kasse.ts';
import { freshDatabase, type DialectName } from './databases.ts';

/** A Monday in January, 10:00 UTC: far from month ends and daylight-saving changes. */
export const TEST_EPOCH_MS = Date.parse('2026-01-05T10:00:00.000Z');
export const ADMIN_TOKEN = 'test-admin-token';

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
  options: { dialect?: DialectName; startJobs?: boolean; config?: Partial<AppConfig> } = {},
): Promise<TestKasse> {
  const dialect = options.dialect ?? 'sqlite';
  const database = await freshDatabase(dialect);
  const clock = new ManualClock(TEST_EPOCH_MS);
  const kasse = await createKasse({
    databaseUrl: database.url,
    clock,
    timeTravel: { advance: async (ms) => clock.advance(ms) },
    adminToken: ADMIN_TOKEN,
    startJobs: options.startJobs ?? true,
    jobPollIntervalMs: 50,
    config: { ...options.config },
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
      await kasse.jobs.drain();
    },
    async close() {
      await kasse.close();
      await database.drop();
    },
  };
}
