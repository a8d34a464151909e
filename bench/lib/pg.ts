/** A throwaway PostgreSQL database per benchmark run (created and dropped here; nothing else is touched). */
import pg from 'pg';
import { postgresAnswers } from '../../scripts/pg-probe.mjs';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function postgresAvailable(): Promise<boolean> {
  return postgresAnswers(PG_ADMIN_URL, 3_000);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(name: string): Promise<string> {
  if (!/^kasse_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  if (!/^kasse_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Settings that bound what a PostgreSQL benchmark can reach; reported with the figures. */
export async function serverSettings(): Promise<Record<string, string>> {
  return admin(async (c) => {
    const { rows } = await c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'max_connections', 'synchronous_commit', 'fsync', 'shared_buffers', 'wal_sync_method')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  });
}

/** The server processes (backends) serving connections to `name`: their CPU use is the database's share. */
export async function backendPids(name: string): Promise<number[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
    return rows.map((r) => r.pid);
  });
}
