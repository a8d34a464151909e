import { CompiledQuery, DeleteQueryNode, InsertQueryNode, PostgresAdapter, UpdateQueryNode, type Compilable, type Kysely, type OperationNode, type QueryResult, type Transaction } from 'kysely';
import { execute } from './direct-execution.ts';
import type { Database } from './schema.ts';

type Handle = Kysely<Database> | Transaction<Database>;

/** Stands for a named parameter while the query is built and compiled, once per dialect. */
class Slot {
  constructor(readonly name: string) {}
}

/** The SQL of every prepared query, with a statement name: PostgreSQL parses and plans each once per connection. */
const statementNames = new Map<string, string>();

/** The server-side statement name of a prepared query's SQL (undefined for any other SQL). */
export function statementNameOf(sqlText: string): string | undefined {
  return statementNames.get(sqlText);
}

/** The SQL of every prepared write nobody reads the answer of (`preparedWrite`), and of every other prepared query. */
const writesWithoutAnswer = new Set<string>();
const queriesWithAnswer = new Set<string>();

/** Whether this SQL is a prepared write whose answer nobody reads: inside a transaction it need not be waited for. */
export function isWriteWithoutAnswer(sqlText: string): boolean {
  return writesWithoutAnswer.has(sqlText);
}

export interface PreparedQuery<P, R> {
  /** The statement with these values, to be run `together` with others. */
  bind(db: Handle, params: P): BoundQuery<R>;
  all(db: Handle, params: P): Promise<R[]>;
  first(db: Handle, params: P): Promise<R | undefined>;
  /** Rows changed (UPDATE/DELETE/INSERT without RETURNING). */
  affected(db: Handle, params: P): Promise<number>;
}

/**
 * A query built and compiled by Kysely once per dialect and then run with new parameter values: the hot path's
 * statements skip building the operation tree and compiling it to SQL on every call (Kysely spends tens of µs on
 * that per statement, as much as SQLite spends running most of them). `build` receives stand-ins for the parameters;
 * it must use them only as values (where/set/values), never to decide the query's shape.
 * Kysely plugins of the handle are not applied to prepared queries.
 */
export function prepared<P extends object, R>(build: (db: Kysely<Database>, params: P) => Compilable<R>): PreparedQuery<P, R> {
  const { bind, run } = compiledRunner(build, ({ sql: sqlText }) => {
    // The same SQL as a write without answer would get that write's empty answer on PostgreSQL.
    if (writesWithoutAnswer.has(sqlText)) throw new Error(`a prepared query is also a write without answer: ${sqlText}`);
    queriesWithAnswer.add(sqlText);
  });
  return {
    bind: (db, params) => ({ compiled: bind(db, params) }),
    async all(db, params) {
      return (await run(db, params)).rows;
    },
    async first(db, params) {
      return (await run(db, params)).rows[0];
    },
    async affected(db, params) {
      return Number((await run(db, params)).numAffectedRows ?? 0n);
    },
  };
}

export interface PreparedWrite<P> {
  run(db: Handle, params: P): Promise<void>;
  /**
   * SQLite only: run an INSERT and answer the rowid of the row it made (undefined when it made none: ON CONFLICT DO
   * NOTHING). On SQLite, RETURNING first collects its rows in a temporary table, about 10 µs a statement even in
   * memory, while the connection knows the last rowid anyway. PostgreSQL has no such thing: there, use RETURNING.
   */
  insertedRowId(db: Handle, params: P): Promise<number | undefined>;
}

/**
 * A prepared INSERT, UPDATE or DELETE whose caller needs neither rows nor a count. Inside a PostgreSQL transaction it
 * is held and sent with the transaction's next statement, which runs after it (one round trip for both,
 * store/postgres-pipeline.ts); an error it causes is reported by that next statement. The statements after it see
 * what it wrote, as if it had been waited for. SQLite, and PostgreSQL outside a transaction, run it as any other
 * statement.
 */
export function preparedWrite<P extends object>(build: (db: Kysely<Database>, params: P) => Compilable<never>): PreparedWrite<P> {
  const { run } = compiledRunner(build, ({ query, sql: sqlText }) => {
    // Its CTEs may return rows to each other (dialect.ts operationWithEntry); the statement itself answers none.
    if (!answersNoRows(query)) throw new Error(`a write without answer cannot return rows: ${sqlText}`);
    if (queriesWithAnswer.has(sqlText)) throw new Error(`a write without answer is also a prepared query: ${sqlText}`);
    writesWithoutAnswer.add(sqlText);
  });
  return {
    async run(db, params) {
      await run(db, params);
    },
    async insertedRowId(db, params) {
      const { numAffectedRows, insertId } = await run(db, params);
      if (insertId === undefined) throw new Error('insertedRowId: the connection tells no rowid (SQLite only)');
      return numAffectedRows === 0n ? undefined : Number(insertId);
    },
  };
}

/** An INSERT, UPDATE or DELETE without RETURNING. */
function answersNoRows(node: OperationNode): boolean {
  return (InsertQueryNode.is(node) || UpdateQueryNode.is(node) || DeleteQueryNode.is(node)) && node.returning === undefined;
}

function compiledRunner<P extends object, R>(
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
  onCompiled: (compiled: CompiledQuery<R>) => void,
): { bind: (db: Handle, params: P) => CompiledQuery<R>; run: (db: Handle, params: P) => Promise<QueryResult<R>> } {
  const slots = new Proxy({} as P, { get: (_target, name) => new Slot(String(name)) });
  const compiledByDialect = new Map<unknown, CompiledQuery<R>>();
  const bind = (db: Handle, params: P): CompiledQuery<R> => {
    // The adapter's class tells the dialects apart; a transaction shares its database's adapter.
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = compiledByDialect.get(dialect);
    if (compiled === undefined) {
      compiled = build(db, slots).compile();
      compiledByDialect.set(dialect, compiled);
      if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `kasse_${statementNames.size + 1}`);
      onCompiled(compiled);
    }
    const parameters = compiled.parameters.map((value) => {
      if (!(value instanceof Slot)) return value;
      const bound = (params as Record<string, unknown>)[value.name];
      if (bound === undefined) throw new Error(`prepared query: no value for parameter ${value.name}`);
      return bound;
    });
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters };
  };
  return { bind, run: (db, params) => execute<R>(db, bind(db, params)) };
}

/** A prepared query with its values, not run yet (PreparedQuery `bind`). */
export interface BoundQuery<R> {
  readonly compiled: CompiledQuery<R>;
}

type ResultsOf<T extends readonly BoundQuery<unknown>[]> = { [K in keyof T]: T[K] extends BoundQuery<infer R> ? QueryResult<R> : never };

/** What the PostgreSQL pipeline (store/postgres-pipeline.ts) reads as "these statements, in one message sequence". */
export const TOGETHER_SQL = '/* kasse: together */';

/**
 * Statements of one transaction whose values do not wait for each other's answers, run in the order given: on
 * PostgreSQL in one round trip (one message sequence, one Sync; with whatever the transaction holds), on SQLite one
 * after the other. Each sees what the ones before it wrote; an error in one is the error of all, as for any statement
 * of a transaction (which then rolls back).
 */
export async function together<T extends readonly BoundQuery<unknown>[]>(db: Handle, ...queries: T): Promise<ResultsOf<T>> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    const results: QueryResult<unknown>[] = [];
    for (const { compiled } of queries) results.push(await execute(db, compiled));
    return results as ResultsOf<T>;
  }
  const { rows } = await db.executeQuery<{ command: string; rowCount: number | null; rows: unknown[] }>(
    CompiledQuery.raw(TOGETHER_SQL, queries.map(({ compiled }) => compiled)),
  );
  // As Kysely's PostgreSQL driver answers one statement: a count only for the statements that change rows.
  return rows.map(({ command, rowCount, rows: statementRows }) => ({
    rows: statementRows,
    ...(['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(command) && rowCount !== null ? { numAffectedRows: BigInt(rowCount) } : {}),
  })) as ResultsOf<T>;
}

/** The stand-ins of these parameters as one object: the `values(...)` of a prepared INSERT, one column each. */
export function fields<P, K extends keyof P>(params: P, names: readonly K[]): Pick<P, K> {
  return Object.fromEntries(names.map((name) => [name, params[name]])) as Pick<P, K>;
}
