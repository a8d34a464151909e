/**
 * The only file with engine-specific code: connection setup, type parsers, id columns, the statements that differ by
 * engine (locked reads, the leased claims with SKIP LOCKED, a new payment's rows and an attempt's record each in one
 * statement on PostgreSQL) and the sandbox reset. Everything else is plain Kysely.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import {
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SelectQueryNode,
  sql,
  CompiledQuery,
  type DatabaseConnection,
  type QueryCompiler,
  type QueryResult,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type ExpressionBuilder,
  type Kysely,
  type QueryCreator,
  type SelectQueryBuilder,
  type SqliteDialectConfig,
} from 'kysely';
import { OPERATION_COLUMNS, PAYMENT_COLUMNS, PAYMENT_ROW_KEYS, type Database, type PaymentCoreRow, type OperationRow, type OutboxRow, type OutboxState, type PaymentRow, type ReportMailRow, type SalesUnitRow } from './schema.ts';
import { refuseInsideTransaction } from './transaction-scope.ts';
import { byOrder, byOrderWithUnit, paymentAndUnitOf, paymentOfOrder, type ByOrder } from './payment-view.ts';
import { GroupRead } from './group-read.ts';
import { withStatementCache, type StatementCache } from './sqlite-statements.ts';
import { compiledFromValues, compiledPick } from './compiled-object.ts';
import type { DirectExecutor } from './direct-execution.ts';
import { fields, prepared, preparedWrite, together, type BoundQuery, type PreparedWrite } from './prepared.ts';
import { withPipelinedStatements, type PgDriverParts } from './postgres-pipeline.ts';
import { finishAttempt, finishedAttemptOf, finishLeasedAttemptQuery, type FinishedAttempt } from './repos/leased-rows.ts';
import { guardedUpdate, type GuardedParams } from './guarded-update.ts';
import type { OperationKind } from '../domain/payment-states.ts';

export type DialectKind = 'sqlite' | 'postgres';

/** What the database connections are doing right now, for the operator's metrics. */
export interface PoolStats {
  /** Open connections (SQLite: its one connection). */
  connections: number;
  /** Connections in use by a query or transaction. */
  busy: number;
  /** Queries and transactions waiting for a connection. */
  waiting: number;
}

export async function dialectFor(
  url: string,
): Promise<{ kind: DialectKind; dialect: Dialect; direct: DirectExecutors; close: () => Promise<void>; poolStats: () => PoolStats }> {
  if (url.startsWith('sqlite:')) {
    const { default: SqliteDatabase } = await import('better-sqlite3');
    const path = sqlitePathOf(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const writer = new SqliteDatabase(path);
    writer.pragma('journal_mode = WAL');
    // FULL: a payment acknowledged with 200 survives power loss, not just a process crash.
    writer.pragma('synchronous = FULL');
    writer.pragma('foreign_keys = ON');
    writer.pragma('busy_timeout = 5000');
    // A group commit runs every command in a SAVEPOINT, so each statement keeps the pages it first touches in a
    // sub-journal, and RETURNING collects its rows in a temporary table: both temporary files by default, one
    // write() per page. In memory they cost a quarter as much; the WAL (what makes a COMMIT durable) is not temporary.
    writer.pragma('temp_store = MEMORY');
    writer.defaultSafeIntegers(false);
    // A second connection for single SELECTs outside any transaction (an in-memory database has no second one).
    // In WAL mode it reads the last committed state and never waits for the writer's open batch.
    let reader: BetterSqlite3.Database | null = null;
    if (path !== ':memory:') {
      reader = new SqliteDatabase(path);
      reader.pragma('query_only = ON');
      reader.pragma('busy_timeout = 5000');
      reader.defaultSafeIntegers(false);
    }
    const groupRead = reader ? new GroupRead(withStatementCache(reader)) : null;
    const writerStatements = withStatementCache(writer);
    const dialect = new KasseSqliteDialect({ database: writerStatements }, groupRead);
    const direct: DirectExecutors = {
      database: groupRead
        ? (compiled) => {
            if (!SelectQueryNode.is(compiled.query)) return undefined;
            refuseInsideTransaction("a query on the store's database");
            return groupRead.run(compiled.sql, compiled.parameters).then((rows) => ({ rows }));
          }
        : null,
      writer: (compiled) => Promise.resolve(runOn(writerStatements, compiled)),
    };
    return { kind: 'sqlite', dialect, direct, close: async () => {}, poolStats: () => dialect.poolStats() };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pg = await import('pg');
    // int8 (BIGINT, COUNT) arrives as a string; every amount in Kasse is a safe integer of øre.
    pg.default.types.setTypeParser(20, (value: string) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`int8 ${value} exceeds the safe integer range`);
      return n;
    });
    const pool = new pg.default.Pool({ connectionString: url, max: Number(process.env.KASSE_PG_POOL_SIZE ?? 10) });
    const poolStats = () => ({ connections: pool.totalCount, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount });
    return { kind: 'postgres', dialect: new GuardedPostgresDialect({ pool: withPipelinedStatements(pool, pgDriverParts(pg.default)) }), direct: { database: null, writer: null }, close: async () => {}, poolStats };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got ${JSON.stringify(url)}`);
}

/** The file of a `sqlite:<path>` URL, or `:memory:` (`sqlite:` and `sqlite::memory:`). */
export function sqlitePathOf(url: string): string {
  return url.slice('sqlite:'.length) || ':memory:';
}

/**
 * What may run statements without Kysely's executor (store/direct-execution.ts), SQLite only: `database` the SELECTs on
 * the store's own handle (null for an in-memory database, which has no read connection); `writer` the statements of a
 * group-commit batch, which holds the write connection while it runs them.
 */
export interface DirectExecutors {
  database: DirectExecutor | null;
  writer: DirectExecutor | null;
}

/** A statement on a better-sqlite3 connection, answered as Kysely's SQLite connection answers it. */
function runOn(statements: StatementCache, { sql: sqlText, parameters }: CompiledQuery): QueryResult<unknown> {
  const statement = statements.prepare(sqlText);
  if (statement.reader) return { rows: statement.all(parameters as unknown[]) };
  const { changes, lastInsertRowid } = statement.run(parameters as unknown[]);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

/**
 * Kysely's SQLite dialect with three changes, all about its connections.
 *
 * Transactional DDL: SQLite runs DDL inside transactions, but Kysely's SqliteAdapter says it cannot, so its Migrator
 * applied each migration statement by statement: a crash in the middle left half a schema and no record of the
 * migration, and every later start failed ("table kasse_meta already exists"). With this adapter each run of
 * migrations is one transaction, as on PostgreSQL (test/reliability/migration-crash.test.ts).
 *
 * A fair queue for the write connection: every transaction and every statement that is not a plain SELECT outside a
 * transaction takes the one write connection in turn. Kysely's own mutex wakes every waiter on each release and lets
 * them race for it again: O(waiters) wake-ups per statement, so throughput fell as concurrency rose (in-process
 * /details: 2,693 req/s at 8 connections, 1,882 at 64; bench/README.md). Here waiters queue and the connection is
 * handed to the oldest one directly.
 *
 * A read connection: a SELECT outside any transaction runs on a second connection (file databases only), so reads
 * such as /details and authentication do not queue behind a group-commit batch (src/store/group-commit.ts). WAL gives
 * that connection the last committed state: it never sees a batch's uncommitted writes, and with synchronous = FULL
 * a commit is visible to it only after its WAL frames were synced. The reads of one turn of the event loop share one
 * read transaction (src/store/group-read.ts).
 */
class KasseSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #reader: GroupRead | null;

  constructor(config: SqliteDialectConfig, reader: GroupRead | null) {
    super(config);
    this.#config = config;
    this.#reader = reader;
  }

  #driver: RoutingSqliteDriver | null = null;

  override createDriver(): Driver {
    this.#driver = new RoutingSqliteDriver(this.#config, this.#reader);
    return this.#driver;
  }

  poolStats(): PoolStats {
    return this.#driver?.stats() ?? { connections: 0, busy: 0, waiting: 0 };
  }

  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl(): boolean {
        return true;
      }
    })();
  }
}

class RoutingSqliteDriver implements Driver {
  /** Kysely's driver over the write connection; its own mutex is only ever taken by the holder of this queue. */
  readonly #inner: SqliteDriver;
  readonly #reader: GroupRead | null;
  #busy = false;
  readonly #waiting: Array<() => void> = [];

  constructor(config: SqliteDialectConfig, reader: GroupRead | null) {
    this.#inner = new SqliteDriver(config);
    this.#reader = reader;
  }

  /** The write connection (and the reader beside it when there is one), whether it is held, and its queue. */
  stats(): PoolStats {
    return { connections: this.#reader ? 2 : 1, busy: this.#busy ? 1 : 0, waiting: this.#waiting.length };
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  /** The write connection is taken lazily: a lease that only runs one SELECT never queues for it. */
  async acquireConnection(): Promise<DatabaseConnection> {
    refuseInsideTransaction('a query on the store\'s database');
    return new Lease(this, this.#reader);
  }

  async takeWriter(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    return this.#inner.acquireConnection();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE: the write lock up front. With a second writer (the use-case worker's connection beside this one) a
    // deferred transaction that read first could not upgrade once the other had committed (SQLITE_BUSY_SNAPSHOT).
    await (await (connection as Lease).holdWriter()).executeQuery(BEGIN_IMMEDIATE);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.savepoint(connection, name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.rollbackToSavepoint(connection, name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.releaseSavepoint(connection, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (!(connection as Lease).holdsWriter) return;
    await this.#inner.releaseConnection();
    const next = this.#waiting.shift();
    // Handed over, not released: nobody arriving meanwhile can overtake the oldest waiter.
    if (next) next();
    else this.#busy = false;
  }

  async destroy(): Promise<void> {
    await this.#inner.destroy();
    this.#reader?.close();
  }
}

class Lease implements DatabaseConnection {
  #writer: DatabaseConnection | null = null;

  constructor(
    private readonly driver: RoutingSqliteDriver,
    private readonly reader: GroupRead | null,
  ) {}

  get holdsWriter(): boolean {
    return this.#writer !== null;
  }

  async holdWriter(): Promise<DatabaseConnection> {
    this.#writer ??= await this.driver.takeWriter();
    return this.#writer;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#writer === null && this.reader !== null && SelectQueryNode.is(compiledQuery.query)) {
      return { rows: (await this.reader.run(compiledQuery.sql, compiledQuery.parameters)) as R[] };
    }
    return (await this.holdWriter()).executeQuery<R>(compiledQuery);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    yield* (await this.holdWriter()).streamQuery<R>(compiledQuery, chunkSize);
  }
}

/** node-postgres's Query and its parameter encoding (pg.utils is untyped in @types/pg). */
function pgDriverParts(driver: typeof pg): PgDriverParts {
  const { prepareValue } = (driver as unknown as { utils: { prepareValue?: (value: unknown) => unknown } }).utils;
  if (typeof prepareValue !== 'function') throw new Error('this node-postgres has no utils.prepareValue');
  return { Query: driver.Query as unknown as PgDriverParts['Query'], prepareValue };
}

/** PostgreSQL's dialect whose pool refuses to serve the work of an open transaction (store/transaction-scope.ts). */
class GuardedPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = () => {
      refuseInsideTransaction('a query on the store\'s database');
      return acquire();
    };
    return driver;
  }
}

/** Column type of an auto-incrementing primary key. */
export function idColumnType(kind: DialectKind): 'integer' | 'bigserial' {
  return kind === 'sqlite' ? 'integer' : 'bigserial';
}

const INSERT_ONLY_TABLES = [
  'ledger_entry',
  'ledger_line',
  'payment_operation',
  'settlement_booking',
  'ledger_date_close',
  'settlement',
  'settlement_bank_booking',
  'report_entry',
  'transaction_report',
  'report_mail_attempt',
  'audit_log',
] as const;
export type InsertOnlyTable = (typeof INSERT_ONLY_TABLES)[number];

/**
 * Invariant L2: the ledger, the operation log, the back office's records (bookings, closed dates, settlements, bank
 * bookings, report entries), the transaction reports with their mail attempts and the operators' audit log refuse
 * UPDATE and DELETE at the engine level (idempotent).
 */
export async function createInsertOnlyGuards(
  db: Kysely<any>,
  kind: DialectKind,
  tables: readonly InsertOnlyTable[] = INSERT_ONLY_TABLES,
): Promise<void> {
  if (kind === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION kasse_insert_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION '% is insert-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql`.execute(db);
  }
  for (const table of tables) {
    for (const action of ['UPDATE', 'DELETE'] as const) {
      const name = sql.raw(`${table}_no_${action.toLowerCase()}`);
      if (kind === 'sqlite') {
        await sql`CREATE TRIGGER IF NOT EXISTS ${name} BEFORE ${sql.raw(action)} ON ${sql.table(table)}
          BEGIN SELECT RAISE(ABORT, '${sql.raw(table)} is insert-only'); END`.execute(db);
      } else {
        await sql`CREATE OR REPLACE TRIGGER ${name} BEFORE ${sql.raw(action)} ON ${sql.table(table)}
          FOR EACH ROW EXECUTE FUNCTION kasse_insert_only()`.execute(db);
      }
    }
  }
}

/**
 * Migration 0005 (the ledger journal): ledger lines point at an entry, and only a payment operation's entry names an
 * operation, so `operation_id` and `payment_id` of a line may be null. PostgreSQL alters the columns; SQLite cannot
 * drop NOT NULL and rebuilds the table with the same rows and ids. The insert-only guards are dropped by the caller
 * first and recreated after.
 */
export async function moveLedgerLinesIntoEntries(db: Kysely<any>, kind: DialectKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`ALTER TABLE ledger_line ADD COLUMN entry_id bigint REFERENCES ledger_entry(id)`.execute(db);
    await sql`UPDATE ledger_line SET entry_id = e.id FROM ledger_entry e WHERE e.operation_id = ledger_line.operation_id`.execute(db);
    await sql`ALTER TABLE ledger_line ALTER COLUMN entry_id SET NOT NULL,
      ALTER COLUMN operation_id DROP NOT NULL, ALTER COLUMN payment_id DROP NOT NULL`.execute(db);
    return;
  }
  await sql`CREATE TABLE ledger_line_journal (
    id integer PRIMARY KEY AUTOINCREMENT,
    entry_id integer NOT NULL REFERENCES ledger_entry(id),
    operation_id integer REFERENCES payment_operation(id),
    payment_id integer,
    msn text NOT NULL,
    account text NOT NULL,
    amount_ore integer NOT NULL CHECK (amount_ore <> 0),
    created_at_ms integer NOT NULL)`.execute(db);
  await sql`INSERT INTO ledger_line_journal (id, entry_id, operation_id, payment_id, msn, account, amount_ore, created_at_ms)
    SELECT l.id, e.id, l.operation_id, l.payment_id, l.msn, l.account, l.amount_ore, l.created_at_ms
    FROM ledger_line l JOIN ledger_entry e ON e.operation_id = l.operation_id`.execute(db);
  await sql`DROP TABLE ledger_line`.execute(db);
  await sql`ALTER TABLE ledger_line_journal RENAME TO ledger_line`.execute(db);
}

/**
 * SQLite changes a table's constraints by rebuilding it, and its documented procedure turns foreign keys off for that
 * (a DROP TABLE of a parent would otherwise delete-check every child). The setting cannot change inside a transaction,
 * so it is switched around the whole run of migrations; a migration that rebuilds a table checks every foreign key
 * with PRAGMA foreign_key_check before it commits. PostgreSQL alters tables in place.
 */
export async function withForeignKeysOffForMigration<T>(db: Kysely<any>, kind: DialectKind, migrate: () => Promise<T>): Promise<T> {
  if (kind !== 'sqlite') return migrate();
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    return await migrate();
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/**
 * Migration 0008 (the payment split) drops the moved columns from `payment`. PostgreSQL drops them (the landing token's
 * unique constraint goes with its column). SQLite cannot drop a UNIQUE column, so it rebuilds the table: the core
 * columns, constraints and index as they stand, the same rows and ids (with foreign keys off while migrating, see
 * withForeignKeysOffForMigration), and every foreign key is checked before the migration commits.
 */
export async function dropPaymentRequestAndSessionColumns(db: Kysely<any>, kind: DialectKind, columns: readonly string[]): Promise<void> {
  if (kind === 'postgres') {
    await sql`ALTER TABLE payment ${sql.join(columns.map((c) => sql`DROP COLUMN ${sql.ref(c)}`))}`.execute(db);
    return;
  }
  // The core columns only (the moved ones are left behind), indented as the stored schema has always had them.
  await rebuildSqliteTable(db, 'payment', async (name) => {
    await sql`CREATE TABLE ${sql.table(name)} (
    id integer PRIMARY KEY AUTOINCREMENT,
    msn text NOT NULL,
    order_id text NOT NULL,
    state text NOT NULL CHECK (state IN ('initiated', 'reserved', 'captured', 'voided', 'cancelled', 'rejected', 'failed')),
    amount_ore integer NOT NULL CHECK (amount_ore > 0),
    reserved_ore integer NOT NULL,
    captured_ore integer NOT NULL,
    refunded_ore integer NOT NULL,
    released_ore integer NOT NULL,
    version integer NOT NULL,
    transaction_text text NOT NULL,
    capture_type text NOT NULL,
    scope text,
    user_msisdn text,
    card_bin integer,
    expires_at_ms integer NOT NULL,
    reserved_at_ms integer,
    created_at_ms integer NOT NULL,
    updated_at_ms integer NOT NULL,
    card_id text,
    issuer_pending_until_ms integer,
    shipping_json text,
    user_details_json text,
    sub text,
    CONSTRAINT "payment_money_nonnegative" CHECK (reserved_ore >= 0 AND captured_ore >= 0 AND refunded_ore >= 0 AND released_ore >= 0),
    CONSTRAINT "payment_capture_within_reservation" CHECK (captured_ore + released_ore <= reserved_ore),
    CONSTRAINT "payment_refund_within_capture" CHECK (refunded_ore <= captured_ore),
    CONSTRAINT "payment_order_per_msn" UNIQUE (msn, order_id))`.execute(db);
  });
}

/**
 * SQLite: give `table` a new definition and keep its rows. `create(name)` creates the new layout under the name it is
 * given; the rows are copied (the columns the new layout has, by name: a column it leaves out is dropped), the old
 * table dropped, the new one renamed, and the old table's own indexes created again as they were. Foreign keys are off
 * while migrating (withForeignKeysOffForMigration), so every one is checked before the migration commits.
 */
export async function rebuildSqliteTable(db: Kysely<any>, table: string, create: (name: string) => Promise<void>): Promise<void> {
  const rebuilt = `${table}_rebuilt`;
  const { rows: indexes } = await sql<{ sql: string }>`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL`.execute(db);
  await create(rebuilt);
  const { rows: columns } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${rebuilt})`.execute(db);
  const list = sql.join(columns.map((c) => sql.ref(c.name)));
  await sql`INSERT INTO ${sql.table(rebuilt)} (${list}) SELECT ${list} FROM ${sql.table(table)}`.execute(db);
  await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(rebuilt)} RENAME TO ${sql.table(table)}`.execute(db);
  for (const index of indexes) await sql.raw(index.sql).execute(db);
  const { rows: broken } = await sql`PRAGMA foreign_key_check`.execute(db);
  if (broken.length > 0) throw new Error(`the rebuilt ${table} table breaks ${broken.length} foreign keys: ${JSON.stringify(broken.slice(0, 5))}`);
}

/** The insert-only guards of one table, dropped so that a migration can reshape it (recreate them after). */
export async function dropInsertOnlyGuards(db: Kysely<any>, kind: DialectKind, table: InsertOnlyTable): Promise<void> {
  for (const action of ['update', 'delete']) {
    const name = sql.raw(`${table}_no_${action}`);
    await (kind === 'sqlite' ? sql`DROP TRIGGER IF EXISTS ${name}` : sql`DROP TRIGGER IF EXISTS ${name} ON ${sql.table(table)}`).execute(db);
  }
}

const DATA_TABLES = [
  'api_call',
  'partner_key',
  'partner_sales_unit',
  'partner',
  'web_session',
  'web_account',
  'report_mail_attempt',
  'report_mail',
  'transaction_report',
  'report_subscription',
  'app_session',
  'app_user_pin',
  'settlement_bank_booking',
  'report_entry',
  'settlement',
  'ledger_date_close',
  'settlement_booking',
  'fault_rule',
  'consent',
  'user_address',
  'card_credit',
  'card_hold',
  'callback_attempt',
  'outbox',
  'idempotency_key',
  'ledger_line',
  'ledger_entry',
  'payment_operation',
  'payment_session',
  'ecomm_v2_request',
  'payment',
  'card',
  'bank',
  'test_user',
  'api_key',
  'sales_unit',
  'merchant',
] as const;

/**
 * Sandbox reset: empty every data table. TRUNCATE on PostgreSQL does not fire the row triggers that keep
 * the ledger insert-only; on SQLite the guards are dropped and recreated inside the same transaction.
 */
export async function deleteAllData(db: Kysely<Database>, kind: DialectKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`TRUNCATE ${sql.join(DATA_TABLES.map((t) => sql.table(t)))} RESTART IDENTITY`.execute(db);
    return;
  }
  await db.transaction().execute(async (trx) => {
    for (const table of INSERT_ONLY_TABLES) {
      for (const action of ['update', 'delete']) await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_no_${action}`)}`.execute(trx);
    }
    for (const table of DATA_TABLES) await trx.deleteFrom(table).execute();
    await createInsertOnlyGuards(trx, kind);
  });
}

/**
 * PostgreSQL plans from a table's statistics. A table with none (a new database before autovacuum's first visit, or
 * autovacuum off) is guessed at, and a plan guessed while the table was nearly empty stays cached on every pooled
 * connection: a payment read by its order went through a merchant-wide portal index and read every payment of the
 * merchant, ~1,500 rows per read after a minute of load (bench/README.md, session 18). So the tables of Kasse's
 * schema that have no statistics and have taken at least `minChangedRows` writes are analyzed; that invalidates the
 * cached plans. SKIP_LOCKED: a table another node is analyzing is left to it. SQLite needs none of this: its planner
 * takes a unique index matched in full first. Returns the tables analyzed.
 */
export async function analyzeTablesWithoutStatistics(db: Kysely<Database>, kind: DialectKind, minChangedRows: number): Promise<string[]> {
  if (kind === 'sqlite') return [];
  const { rows } = await sql<{ relname: string }>`
    SELECT s.relname FROM pg_stat_user_tables s
    WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze >= ${minChangedRows}
      AND NOT EXISTS (SELECT 1 FROM pg_stats p WHERE p.schemaname = s.schemaname AND p.tablename = s.relname)`.execute(db);
  for (const { relname } of rows) await sql`ANALYZE (SKIP_LOCKED) ${sql.table(relname)}`.execute(db);
  return rows.map((row) => row.relname);
}

/**
 * Claim due outbox rows with a lease. PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers on
 * several nodes never hold the same row. SQLite: one writer at a time, the plain UPDATE is enough.
 */
export async function claimDueOutboxRows(db: Kysely<Database>, kind: DialectKind, args: LeaseClaim): Promise<OutboxRow[]> {
  return (await leasedRowsClaim<OutboxRow>(kind, 'outbox', args).execute(db)).rows;
}

/** The outbox claim, not run yet: to go `together` with another statement (the dispatcher's fault rules). */
export function dueOutboxClaim(db: Kysely<Database>, kind: DialectKind, args: LeaseClaim): BoundQuery<OutboxRow> {
  return { compiled: leasedRowsClaim<OutboxRow>(kind, 'outbox', args).compile(db) };
}

export interface AttemptRecord {
  row: OutboxRow;
  owner: string;
  startedAtMs: number;
  latencyMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  nextState: OutboxState;
  nextAttemptAtMs: number;
  nowMs: number;
}

/** An attempt's own values, beside its row's (FinishedAttempt). */
interface AttemptValues extends FinishedAttempt {
  msn: string;
  startedAtMs: number;
  latencyMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

const insertCallbackAttempt = preparedWrite<AttemptValues>((db, p) =>
  db.insertInto('callback_attempt').values({
    outbox_id: p.id,
    attempt_no: p.attemptsAfter,
    msn: p.msn,
    started_at_ms: p.startedAtMs,
    latency_ms: p.latencyMs,
    http_status: p.httpStatus,
    response_excerpt: p.responseExcerpt,
    error: p.error,
  }),
);

const finishAndInsertCallbackAttempt = prepared<AttemptValues, never>((db, p) =>
  db
    .with('finished', () => finishLeasedAttemptQuery(db, 'outbox', p).returning(['id', 'attempts']))
    .insertInto('callback_attempt')
    .columns(['outbox_id', 'attempt_no', 'msn', 'started_at_ms', 'latency_ms', 'http_status', 'response_excerpt', 'error'])
    .expression((eb) =>
      eb
        .selectFrom('finished')
        .select([
          'finished.id',
          'finished.attempts',
          sql.val(p.msn).as('msn'),
          sql.val(p.startedAtMs).as('started_at_ms'),
          sql.val(p.latencyMs).as('latency_ms'),
          sql.val(p.httpStatus).as('http_status'),
          sql.val(p.responseExcerpt).as('response_excerpt'),
          sql.val(p.error).as('error'),
        ]),
    ),
);

/**
 * Record one attempt at a claimed outbox row and its consequence for the row, only if this worker still holds the
 * row's lease (finishLeasedAttempt). Returns whether it was recorded. PostgreSQL: one statement (the row's update
 * feeds the attempt's insert), atomic on its own, so a worker needs no transaction for it (Store.atomicWrite).
 * SQLite, which has no UPDATE in a WITH clause: the two statements, in the caller's transaction.
 */
export async function recordAttempt(db: Kysely<Database>, kind: DialectKind, record: AttemptRecord): Promise<boolean> {
  const [recorded] = await recordAttempts(db, kind, [record]);
  return recorded!;
}

/**
 * recordAttempt for attempts that finished together, each guarded by its own lease. PostgreSQL: their statements in
 * one message sequence (`together`), which outside a transaction is one implicit transaction: one round trip and one
 * WAL flush for all, all or none. SQLite: one after another in the caller's transaction.
 */
export async function recordAttempts(db: Kysely<Database>, kind: DialectKind, records: readonly AttemptRecord[]): Promise<boolean[]> {
  const values = records.map(attemptValuesOf);
  if (kind === 'postgres') {
    const results = await together(db, ...values.map((v) => finishAndInsertCallbackAttempt.bind(db, v)));
    return results.map((result) => result.numAffectedRows === 1n);
  }
  const recorded: boolean[] = [];
  for (const v of values) {
    const finished = await finishAttempt(db, 'outbox', v);
    if (finished) await insertCallbackAttempt.run(db, v);
    recorded.push(finished);
  }
  return recorded;
}

function attemptValuesOf(record: AttemptRecord): AttemptValues {
  return {
    ...finishedAttemptOf(record),
    msn: record.row.msn,
    startedAtMs: record.startedAtMs,
    latencyMs: Math.round(record.latencyMs),
    httpStatus: record.httpStatus,
    responseExcerpt: record.responseExcerpt,
    error: record.error,
  };
}

/** Claim due report e-mails with a lease, exactly as outbox rows are claimed. */
export async function claimDueReportMails(db: Kysely<Database>, kind: DialectKind, args: LeaseClaim): Promise<ReportMailRow[]> {
  return (await leasedRowsClaim<ReportMailRow>(kind, 'report_mail', args).execute(db)).rows;
}

interface LeaseClaim {
  owner: string;
  nowMs: number;
  leaseMs: number;
  limit: number;
  leaseNowMs?: number | undefined;
}

/** The tables of leased outbound work share their claim columns: state, next_attempt_at_ms, lease_owner, lease_until_ms. */
function leasedRowsClaim<Row>(kind: DialectKind, table: 'outbox' | 'report_mail', args: LeaseClaim) {
  const { owner, nowMs, leaseMs, limit } = args;
  // Due-ness follows the (sandbox) clock; leases follow real time when the clock can travel (Clock.leaseNowMs).
  const leaseNowMs = args.leaseNowMs ?? nowMs;
  const lockClause = kind === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  return sql<Row>`
    UPDATE ${sql.table(table)} SET lease_owner = ${owner}, lease_until_ms = ${leaseNowMs + leaseMs}, updated_at_ms = ${nowMs}
    WHERE id IN (
      SELECT id FROM ${sql.table(table)}
      WHERE state = 'pending' AND next_attempt_at_ms <= ${nowMs}
        AND (lease_until_ms IS NULL OR lease_until_ms < ${leaseNowMs})
      ORDER BY next_attempt_at_ms, id
      LIMIT ${limit}
      ${lockClause}
    )
    RETURNING *`;
}

/**
 * Load a payment, with its sales unit, and hold the payment's row until the transaction ends. Money operations talk
 * to the (simulated) bank between deciding and writing, so operations on one payment take turns; on SQLite there is
 * one writer anyway.
 */
const paymentWithUnit = prepared<ByOrder, Record<string, unknown>>(byOrderWithUnit);
const NEXT_OPERATION_ID = 'next_operation_id';
// Only the core row is locked: the request, the session and the sales unit are not what operations take turns on.
// With it, the id of the operation the transaction will write (operationWithEntry): drawn now, so the operation can go
// out with the COMMIT instead of answering it. An id drawn for a refused operation is never used (a gap).
const paymentWithUnitForUpdate = prepared<ByOrder, Record<string, unknown>>((db, p) =>
  byOrderWithUnit(db, p)
    .select(sql<number>`nextval('payment_operation_id_seq')`.as(NEXT_OPERATION_ID))
    .forUpdate('payment'),
);

export type LockedPayment = { payment: PaymentRow; unit: SalesUnitRow; nextOperationId: number | null };

// SQLite has no row locks (the writer holds the whole database) and numbers an operation when it inserts it.
const lockedRead = (kind: DialectKind) => (kind === 'postgres' ? paymentWithUnitForUpdate : paymentWithUnit);

export async function loadPaymentForUpdate(db: Kysely<Database>, kind: DialectKind, msn: string, orderId: string): Promise<LockedPayment | undefined> {
  return lockedPaymentOf(kind, await lockedRead(kind).first(db, { msn, orderId }));
}

/** The locked read, not run yet: to go `together` with another statement of the transaction (prepared.ts). */
export function paymentForUpdate(db: Kysely<Database>, kind: DialectKind, msn: string, orderId: string): BoundQuery<Record<string, unknown>> {
  return lockedRead(kind).bind(db, { msn, orderId });
}

/** A row of the locked read taken apart (undefined: no such payment). */
export function lockedPaymentOf(kind: DialectKind, row: Record<string, unknown> | undefined): LockedPayment | undefined {
  if (row === undefined) return undefined;
  if (kind === 'sqlite') return { ...paymentAndUnitOf(row), nextOperationId: null };
  const { [NEXT_OPERATION_ID]: nextOperationId, ...rest } = row;
  return { ...paymentAndUnitOf(rest), nextOperationId: nextOperationId as number };
}

/** An operation row's columns, in the order the log read below packs each one (a JSON array: no key per value). */
const OPERATION_ROW_COLUMNS = ['id', ...OPERATION_COLUMNS] as const;

/**
 * A payment with its operation log up to the version read, in one statement: the log is one JSON column, so `/details`
 * and `/status` cost one read (on SQLite one read transaction, on PostgreSQL one round trip) instead of two, and the
 * row and its log come from one snapshot.
 */
function withLog<Q extends SelectQueryBuilder<Database, 'payment', object>>(db: Kysely<Database>, query: Q) {
  const packed = sql.join(OPERATION_ROW_COLUMNS.map((column) => sql.ref(`o.${column}`)));
  // By (payment_id, seq) alone: `o.msn = payment.msn` adds nothing (a payment has one merchant) but lets PostgreSQL,
  // on tables without statistics, AND in the merchant-wide (msn, created_at_ms) index and read every operation of the
  // merchant on each /details (test/store/details-plan.test.ts).
  const ofThisPayment = sql`FROM payment_operation o WHERE o.payment_id = payment.id AND o.seq <= payment.version`;
  // SQLite sorts an aggregate's ORDER BY in a temporary B-tree even when the index already gives that order (a
  // sixth of the read); the log is put in order after the read instead (logOf).
  const log =
    db.getExecutor().adapter instanceof SqliteAdapter
      ? sql`(SELECT json_group_array(json_array(${packed})) ${ofThisPayment})`
      : sql`(SELECT coalesce(json_agg(json_build_array(${packed}) ORDER BY o.seq), '[]'::json) ${ofThisPayment})`;
  return query.select(log.as('log_json'));
}

/** The payment view (core, ecomm v2 request, session) with its log: the portal's payment page. */
const paymentWithLogByOrder = prepared<ByOrder, PaymentRow & { log_json: unknown }>((db, p) => withLog(db, byOrder(db, p)));

/**
 * The core payment alone with its log: `/details` and `/status` show nothing of the request or the session, and the
 * view's two joins and eleven columns were a seventh of the read (bench/README.md, session 15).
 */
const corePaymentWithLogByOrder = prepared<ByOrder, PaymentCoreRow & { log_json: unknown }>((db, p) =>
  withLog(db, paymentOfOrder(db, p).selectAll('payment')),
);

export async function findPaymentWithLog(db: Kysely<Database>, msn: string, orderId: string): Promise<{ payment: PaymentRow; log: OperationRow[] } | undefined> {
  const row = await paymentWithLogByOrder.first(db, { msn, orderId });
  return row && { payment: paymentRowWithout(row), log: logOf(row.log_json) };
}

export async function findCorePaymentWithLog(db: Kysely<Database>, msn: string, orderId: string): Promise<{ payment: PaymentCoreRow; log: OperationRow[] } | undefined> {
  const row = await corePaymentWithLogByOrder.first(db, { msn, orderId });
  return row && { payment: coreRowWithout(row), log: logOf(row.log_json) };
}

/** The packed log, oldest first. SQLite answers JSON as text; node-postgres parses a json column itself. */
function logOf(logJson: unknown): OperationRow[] {
  const packed = (typeof logJson === 'string' ? JSON.parse(logJson) : logJson) as unknown[][];
  return packed.map(operationOf).sort((a, b) => a.seq - b.seq);
}

/** The payment of a row with more columns: a rest spread (`{ log_json, ...payment }`) copies key by key. */
const paymentRowWithout = compiledPick<PaymentRow>(PAYMENT_ROW_KEYS);
const coreRowWithout = compiledPick<PaymentCoreRow>(['id', ...PAYMENT_COLUMNS]);

/** An operation of the packed log: its values in OPERATION_ROW_COLUMNS order. */
const operationOf = compiledFromValues<OperationRow>(OPERATION_ROW_COLUMNS);

/**
 * PostgreSQL: a new payment's core row, its ecomm v2 request, its session and its first operation in one statement,
 * atomic without a transaction (an initiate is one round trip). When the core row conflicts (the orderId exists: ON
 * CONFLICT DO NOTHING), the others insert nothing and no row comes back. Text parameters in a SELECT list are text to
 * PostgreSQL; the integers are cast. The operation's parameters are its columns prefixed `op_`.
 */
export const insertPaymentWithRequestSessionAndOperation = prepared<Record<string, unknown>, PaymentCoreRow>((db, p) =>
  db
    .with('p', (qc) =>
      qc
        .insertInto('payment')
        .values(fields(p as never, PAYMENT_COLUMNS))
        .onConflict((oc) => oc.columns(['msn', 'order_id']).doNothing())
        .returningAll(),
    )
    .with('r', (qc) =>
      qc
        .insertInto('ecomm_v2_request')
        .columns(['payment_id', 'msn', 'payment_type', 'callback_prefix', 'fall_back', 'auth_token', 'is_app', 'skip_landing_page', 'customer_mobile', 'merchant_info_json'])
        .expression((eb) =>
          eb
            .selectFrom('p')
            .select([
              'p.id',
              'p.msn',
              sql<string>`${p.payment_type}`.as('payment_type'),
              sql<string>`${p.callback_prefix}`.as('callback_prefix'),
              sql<string>`${p.fall_back}`.as('fall_back'),
              sql<string | null>`${p.auth_token}`.as('auth_token'),
              sql<number>`cast(${p.is_app} as integer)`.as('is_app'),
              sql<number>`cast(${p.skip_landing_page} as integer)`.as('skip_landing_page'),
              sql<string | null>`${p.customer_mobile}`.as('customer_mobile'),
              sql<string>`${p.merchant_info_json}`.as('merchant_info_json'),
            ]),
        ),
    )
    .with('s', (qc) =>
      qc
        .insertInto('payment_session')
        .columns(['payment_id', 'msn', 'landing_token', 'pushed_to_msisdn', 'shipping_options_json'])
        .expression((eb) =>
          eb
            .selectFrom('p')
            .select([
              'p.id',
              'p.msn',
              sql<string>`${p.landing_token}`.as('landing_token'),
              sql<string | null>`${p.pushed_to_msisdn}`.as('pushed_to_msisdn'),
              sql<string | null>`${p.shipping_options_json}`.as('shipping_options_json'),
            ]),
        ),
    )
    .with('o', (qc) =>
      qc
        .insertInto('payment_operation')
        .columns(['payment_id', 'msn', 'seq', 'kind', 'amount_ore', 'transaction_text', 'request_id', 'created_at_ms', 'error_key'])
        .expression((eb) =>
          eb
            .selectFrom('p')
            .select([
              'p.id',
              'p.msn',
              sql<number>`cast(${p.op_seq} as integer)`.as('seq'),
              sql<string>`${p.op_kind}`.as('kind'),
              sql<number>`cast(${p.op_amount_ore} as bigint)`.as('amount_ore'),
              sql<string>`${p.op_transaction_text}`.as('transaction_text'),
              sql<string>`${p.op_request_id}`.as('request_id'),
              sql<number>`cast(${p.op_created_at_ms} as bigint)`.as('created_at_ms'),
              sql<string | null>`${p.op_error_key}`.as('error_key'),
            ]),
        ),
    )
    .selectFrom('p')
    .selectAll(),
);

type OperationCtes = Database & { upd: { version: number }; op: Pick<OperationRow, 'id' | 'payment_id' | 'msn' | 'created_at_ms'> };
const operationStatements = new Map<string, PreparedWrite<Record<string, unknown>>>();

/**
 * PostgreSQL: an operation whole in one statement that nobody waits for — the payment's guarded UPDATE
 * (guarded-update.ts), the operation with the id drawn for it by the locked read (loadPaymentForUpdate) and numbered by
 * the version the UPDATE gave the payment, its journal entry and the entry's lines (one SELECT each, UNION ALL, in
 * the order given). The caller computed the changed row and the operation itself, so the statement is a held write
 * (store/postgres-pipeline.ts): it goes out with the transaction's next statement, usually its COMMIT, and costs no
 * round trip of its own. A guard that matches no row leaves `upd` empty, the operation's `seq` NULL, and the NOT NULL
 * constraint fails the statement and with it the transaction. Data-modifying CTEs run to completion whatever the
 * outer statement reads. One statement per kind, approval and line count; parameters: the guard's (GuardedParams),
 * `msn`, `operation_id`, `transaction_text`, `request_id`, `error_key`, then `account0`, `amount0`, … per line.
 */
export function operationWithEntry(kind: OperationKind, withApproval: boolean, lineCount: number): PreparedWrite<Record<string, unknown>> {
  const key = `${kind}/${withApproval}/${lineCount}`;
  let statement = operationStatements.get(key);
  if (statement === undefined) {
    statement = preparedWrite<Record<string, unknown>>((db, p) => {
      const withUpd = db.with('upd', (qc) => guardedUpdate(qc, kind, withApproval, p as unknown as GuardedParams).returning('version'));
      const operation = (eb: ExpressionBuilder<OperationCtes, 'payment_operation'>) => ({
        id: p.operation_id as number,
        payment_id: p.paymentId as number,
        msn: p.msn as string,
        seq: eb.selectFrom('upd').select('upd.version'),
        kind: sql<OperationKind>`cast(${kind} as text)`,
        amount_ore: p.amountOre as number,
        transaction_text: p.transaction_text as string,
        request_id: p.request_id as string,
        created_at_ms: p.nowMs as number,
        error_key: p.error_key as string | null,
      });
      if (lineCount === 0) return (withUpd as unknown as QueryCreator<OperationCtes>).insertInto('payment_operation').values(operation) as never;
      return (withUpd as unknown as QueryCreator<OperationCtes>)
        .with('op', (qc) => qc.insertInto('payment_operation').values(operation).returning(['id', 'payment_id', 'msn', 'created_at_ms']))
        .with('entry', (qc) =>
          qc
            .insertInto('ledger_entry')
            .columns(['msn', 'kind', 'operation_id', 'payment_id', 'created_at_ms'])
            .expression((eb) => eb.selectFrom('op').select(['op.msn', sql<string>`'payment_operation'`.as('kind'), 'op.id', 'op.payment_id', 'op.created_at_ms']))
            .returning(['id', 'operation_id', 'payment_id', 'msn', 'created_at_ms']),
        )
        .insertInto('ledger_line')
        .columns(['entry_id', 'operation_id', 'payment_id', 'msn', 'account', 'amount_ore', 'created_at_ms'])
        .expression((eb) => {
          const line = (i: number) =>
            eb
              .selectFrom('entry')
              .select([
                'entry.id',
                'entry.operation_id',
                'entry.payment_id',
                'entry.msn',
                sql<string>`cast(${p[`account${i}`]} as text)`.as('account'),
                sql<number>`cast(${p[`amount${i}`]} as bigint)`.as('amount_ore'),
                'entry.created_at_ms',
              ]);
          let lines = line(0);
          for (let i = 1; i < lineCount; i++) lines = lines.unionAll(line(i));
          return lines;
        }) as never;
    });
    operationStatements.set(key, statement);
  }
  return statement;
}

/** A sales unit, held until the transaction ends: an operator's change reads what it changes for the audit log. */
export async function findSalesUnitForUpdate(db: Kysely<Database>, kind: DialectKind, msn: string): Promise<SalesUnitRow | undefined> {
  const query = db.selectFrom('sales_unit').selectAll().where('msn', '=', msn);
  return (kind === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

/** Serialization failures and deadlocks are safe to retry: the transaction had no effect. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The names of the insert-only triggers in force, so reconciliation can confirm L2 is still enforced. On PostgreSQL a
 * trigger can also be switched off (ALTER TABLE … DISABLE TRIGGER) without being dropped: a disabled one does not count.
 */
export async function listInsertOnlyGuards(db: Kysely<Database>, kind: DialectKind): Promise<string[]> {
  const query =
    kind === 'sqlite'
      ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`
      : sql<{ name: string }>`SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'`;
  const { rows } = await query.execute(db);
  return rows.map((r) => r.name);
}

export function expectedInsertOnlyGuards(): string[] {
  return INSERT_ONLY_TABLES.flatMap((table) => ['update', 'delete'].map((action) => `${table}_no_${action}`));
}

const multiRowInsertTexts = new Map<string, string>();

/**
 * The text of `INSERT INTO table (columns) VALUES (…), (…)` for `rowCount` rows, with the engine's placeholders
 * (`?` on SQLite, `$n` on PostgreSQL), built once per shape: bulk writes on a hot path skip the query builder, and
 * SQLite's statement cache sees one text per shape. Callers keep the shapes few (api-calls.ts: fixed chunk sizes).
 */
export function multiRowInsertText(kind: DialectKind, table: string, columns: readonly string[], rowCount: number): string {
  const key = `${kind}:${table}:${columns.length}:${rowCount}`;
  let text = multiRowInsertTexts.get(key);
  if (text === undefined) {
    let n = 0;
    const row = () => `(${columns.map(() => (kind === 'sqlite' ? '?' : `$${++n}`)).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rowCount }, row).join(', ')}`;
    multiRowInsertTexts.set(key, text);
  }
  return text;
}
