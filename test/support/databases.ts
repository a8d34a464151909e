import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresAnswers } from '../../scripts/pg-probe.mjs';

export type DialectName = 'sqlite' | 'postgres';

/** The server the PostgreSQL suite runs against; scripts/run-tests.mjs exports it once it has checked it. */
export const PG_ADMIN_URL = process.env.KASSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgProbe: Promise<boolean> | undefined;

export function pgAvailable(): Promise<boolean> {
  if (process.env.KASSE_TEST_SKIP_PG === '1') return Promise.resolve(false);
  pgProbe ??= postgresAnswers(PG_ADMIN_URL, 2000);
  return pgProbe;
}

/** The dialects the storage suites run on: always SQLite, PostgreSQL when a server answers. */
export async function testDialects(): Promise<DialectName[]> {
  return (await pgAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
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
