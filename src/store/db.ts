import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { dialectFor, type DialectKind } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Repositories take either: a use case passes its transaction, read-only paths may pass the Db. */
export type Executor = Db | Trx;

export interface Store {
  readonly db: Db;
  readonly kind: DialectKind;
  close(): Promise<void>;
}

/** `sqlite:<path>` (or `sqlite::memory:`) and `postgres://…` URLs. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const { kind, dialect, close } = await dialectFor(databaseUrl);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind,
    async close() {
      await db.destroy();
      await close();
    },
  };
}

export async function migrateToLatest(store: Store): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store.kind) },
    migrationTableName: 'kasse_migration',
    migrationLockTableName: 'kasse_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}

/** One round trip to the database: it answers (readiness). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
