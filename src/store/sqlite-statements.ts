import { compiledFromValues } from './compiled-object.ts';

/** What the cache needs of a better-sqlite3 connection and its statements (dialect.ts opens them). */
interface NativeStatement {
  readonly reader: boolean;
  readonly busy: boolean;
  raw(toggle: boolean): NativeStatement;
  columns(): Array<{ name: string }>;
  all(parameters: unknown[]): unknown[];
  iterate(parameters: unknown[]): IterableIterator<unknown>;
  run(parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

interface NativeConnection {
  prepare(sqlText: string): NativeStatement;
  exec(sqlText: string): unknown;
  readonly inTransaction: boolean;
  close(): unknown;
}

type RowOf = (values: unknown[]) => Record<string, unknown>;

/**
 * A row's object made by a function compiled for the statement's columns (compiled-object.ts). better-sqlite3 builds
 * each row by defining its columns one by one, looking every name up in V8's string table: for a 36-column payment
 * row 12.6 µs against 9.3 this way (bench/README.md, session 15). Duplicate names keep the last value, as
 * better-sqlite3 does.
 */
function rowFunctionOf(columns: ReadonlyArray<{ name: string }>): RowOf {
  return compiledFromValues<Record<string, unknown>>(columns.map(({ name }) => name));
}

/**
 * A prepared statement as Kysely's SQLite driver and Kasse's direct paths use it (`reader`, `busy`, `all`, `run`,
 * `iterate`), whose rows come from SQLite as arrays and are made objects by rowFunctionOf. SQLite re-prepares a
 * statement by itself after a schema change, and `SELECT *` may then have other columns: a row whose length is not
 * the compiled one's makes the function anew.
 */
export class CachedStatement {
  readonly #native: NativeStatement;
  #rowOf: RowOf = () => ({});
  #columnCount = -1;

  constructor(native: NativeStatement) {
    this.#native = native;
    if (native.reader) {
      native.raw(true);
      this.#compile();
    }
  }

  get reader(): boolean {
    return this.#native.reader;
  }

  get busy(): boolean {
    return this.#native.busy;
  }

  all(parameters: unknown[]): unknown[] {
    const rows = this.#native.all(parameters) as unknown[];
    for (let i = 0; i < rows.length; i++) rows[i] = this.#objectOf(rows[i] as unknown[]);
    return rows;
  }

  *iterate(parameters: unknown[]): IterableIterator<unknown> {
    for (const row of this.#native.iterate(parameters)) yield this.#objectOf(row as unknown[]);
  }

  run(parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.#native.run(parameters);
  }

  #objectOf(values: unknown[]): Record<string, unknown> {
    if (values.length !== this.#columnCount) this.#compile();
    return this.#rowOf(values);
  }

  #compile(): void {
    const columns = this.#native.columns();
    this.#rowOf = rowFunctionOf(columns);
    this.#columnCount = columns.length;
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver calls prepare() for every query it runs, and better-sqlite3 compiles the SQL each time
 * (profiled: about as much CPU as executing the statement). Kysely generates the same SQL text for the same
 * query shape, so compiled statements are kept and reused, bounded (LRU). A statement still busy iterating is
 * never handed out twice.
 */
export function withStatementCache(database: NativeConnection) {
  const cache = new Map<string, CachedStatement>();
  return {
    close: () => void database.close(),
    exec: (sqlText: string) => void database.exec(sqlText),
    get inTransaction() {
      return database.inTransaction;
    },
    prepare(sqlText: string): CachedStatement {
      const cached = cache.get(sqlText);
      if (cached && !cached.busy) {
        cache.delete(sqlText);
        cache.set(sqlText, cached);
        return cached;
      }
      const statement = new CachedStatement(database.prepare(sqlText));
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement;
    },
  };
}

export type StatementCache = ReturnType<typeof withStatementCache>;
