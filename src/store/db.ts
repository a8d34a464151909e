import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { dialectFor, sqlitePathOf, withForeignKeysOffForMigration, type DialectKind, type PoolStats } from './dialect.ts';
import { executeDirectly } from './direct-execution.ts';
import { DEFAULT_GROUP_COMMIT_LIMITS, GroupCommit, type GroupCommitStats } from './group-commit.ts';
import { refuseInsideTransaction } from './transaction-scope.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Repositories take either: a use case passes its transaction, read-only paths may pass the Db. */
export type Executor = Db | Trx;

export interface Store {
  readonly db: Db;
  readonly kind: DialectKind;
  /** Connections open, in use and waited for (SQLite: the one connection and its queue). */
  poolStats(): PoolStats;
  /**
   * Run `work` in a transaction and resolve once it is committed (durable). SQLite: it joins a group-commit batch and
   * runs in a savepoint of its own (src/store/group-commit.ts). PostgreSQL: a transaction of its own on a pooled
   * connection; concurrent commits share WAL flushes in the server.
   */
  transact<T>(work: (trx: Trx) => Promise<T>): Promise<T>;
  /**
   * Run `work`, which must be atomic without a transaction on PostgreSQL (one statement, or statements sent
   * `together`: one message sequence is one implicit transaction), and resolve once it is durable. SQLite: as
   * `transact`, in a group-commit batch, so it shares the batch's fsync instead of paying an autocommit's own.
   * PostgreSQL: alone on a pooled connection, without a BEGIN and a COMMIT round trip.
   */
  atomicWrite<T>(work: (db: Executor) => Promise<T>): Promise<T>;
  /** Group-commit counters (SQLite); null on PostgreSQL. */
  readonly groupCommitStats: GroupCommitStats | null;
  close(): Promise<void>;
}

/** A SQLite database in a file, which another connection (in another thread) can open too. */
export function isSqliteFile(databaseUrl: string): boolean {
  return databaseUrl.startsWith('sqlite:') && sqlitePathOf(databaseUrl) !== ':memory:';
}

/** `sqlite:<path>` (or `sqlite::memory:`) and `postgres://…` URLs. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const { kind, dialect, direct, close, poolStats } = await dialectFor(databaseUrl);
  const db = new Kysely<Database>({ dialect });
  if (direct.database) executeDirectly(db, direct.database);
  const groupCommit = kind === 'sqlite' ? new GroupCommit(db, DEFAULT_GROUP_COMMIT_LIMITS, direct.writer) : null;
  const store: Store = {
    db,
    kind,
    poolStats,
    // A copy of the store with another `db` (the same database with a Kysely plugin, as tests make) runs its
    // transactions on that `db`, in a transaction of their own: a batch runs on the store's own `db`.
    transact<T>(this: Store, work: (trx: Trx) => Promise<T>): Promise<T> {
      refuseInsideTransaction('a new transaction');
      if (groupCommit && this.db === db) return groupCommit.run(work);
      return this.db.transaction().execute(work);
    },
    atomicWrite<T>(this: Store, work: (db: Executor) => Promise<T>): Promise<T> {
      if (kind === 'sqlite') return this.transact(work);
      refuseInsideTransaction('a write outside it');
      return work(this.db);
    },
    groupCommitStats: groupCommit?.stats ?? null,
    async close() {
      await db.destroy();
      await close();
    },
  };
  return store;
}

function migratorOf(store: Pick<Store, 'db' | 'kind'>): Migrator {
  return new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store.kind) },
    migrationTableName: 'kasse_migration',
    migrationLockTableName: 'kasse_migration_lock',
  });
}

/** Names of the migrations this code has that the database has not run (readiness: a node must not serve then). */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const all = await migratorOf(store).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(store: Pick<Store, 'db' | 'kind'>): Promise<void> {
  const { error, results } = await withForeignKeysOffForMigration(store.db, store.kind, () => migratorOf(store).migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}

/** One round trip to the database: it answers (readiness). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
