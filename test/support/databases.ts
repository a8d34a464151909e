import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type DialectName = 'sqlite' | 'postgres';

/** The server the PostgreSQL suite runs against; scripts/run-tests.mjs exports it once it has checked it. */
export const PG_ADMIN_URL = process.env.KASSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether the PostgreSQL suite runs. scripts/run-tests.mjs probes the server once and exports its decision as
 * KASSE_TEST_PG=on|off; every test file obeys it instead of probing again (a second probe that timed out on a busy
 * machine would quietly shrink a file to SQLite alone). Under CI=true the runner never says off: it fails instead.
 */
export function pgAvailable(): boolean {
  const decision = process.env.KASSE_TEST_PG;
  if (decision === 'on') return true;
  if (decision === 'off' && process.env.CI !== 'true') return false;
  throw new Error(
    decision === 'off'
      ? 'KASSE_TEST_PG=off under CI=true: CI runs the PostgreSQL suite (scripts/run-tests.mjs fails instead of skipping it)'
      : `KASSE_TEST_PG is ${decision === undefined ? 'not set' : `"${decision}"`}: run tests through scripts/run-tests.mjs (npm test, or node scripts/run-tests.mjs FILE…), which decides whether PostgreSQL runs`,
  );
}

/** The dialects the storage suites run on: always SQLite, PostgreSQL when the runner decided it runs. */
export function testDialects(): DialectName[] {
  return pgAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test: a temporary SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `kasse_test_${randomBytes(6).toString('hex')}`;
  if (dialect === 'sqlite') {
    const path = join(tmpdir(), `${name}.sqlite`);
    return {
      url: `sqlite:${path}`,
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      // pg's pool.end() resolves once it has *asked* its clients to end, not when their sessions are gone. A forced
      // drop would then terminate those closing sessions, and the FATAL reaching a client nobody listens to any more
      // is an uncaughtException in the test file. Give the sessions a moment (bounded) to go first.
      for (let i = 0; i < 100; i++) {
        const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if ((rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
