/**
 * PostgreSQL's round trips (the driver's side; the SQL is in dialect.ts). A transaction's BEGIN, its SAVEPOINTs and
 * its writes whose answer nobody reads (prepared.ts `preparedWrite`) are not sent on their own: they are held and
 * go out with the transaction's next statement, in one message sequence with one Sync, so the server answers them
 * all in one reply. A capture, for instance, went from eleven round trips to seven.
 *
 * Nothing is acknowledged sooner: COMMIT is still waited for, and a transaction's statements still run one after the
 * other in the order they were issued, so each sees what the ones before it wrote. What changes is where an error
 * shows: a held statement that fails is the error of the statement it went out with (its own error, so a
 * serialization failure is still retried), the statements after it in the sequence do not run, and the transaction
 * rolls back as it would have. A transaction that rolls back before anything was sent sends nothing at all.
 * Prepared statements keep their server-side names (parsed and planned once per connection).
 */
import { isWriteWithoutAnswer, statementNameOf, TOGETHER_SQL } from './prepared.ts';

/** node-postgres's pieces this needs (dialect.ts passes them: only it imports the driver). */
export interface PgDriverParts {
  /** pg.Query: the extended-protocol query whose message sequence is extended here. */
  Query: new (config: { text: string; values?: unknown[]; name?: string; queryMode?: 'extended' }) => object;
  /** pg.utils.prepareValue: a JavaScript value as the text the server receives for a parameter. */
  prepareValue: (value: unknown) => unknown;
}

interface PgConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(message: { text: string; name: string; types: unknown[] }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  execute(message: { portal: string; rows: number }): void;
  describe(message: { type: 'P' | 'S'; name: string }): void;
  on(event: 'parseComplete', listener: () => void): void;
  removeListener(event: 'parseComplete', listener: () => void): void;
}

interface PgClient {
  query(text: unknown, values?: unknown, ...rest: unknown[]): unknown;
}

interface Held {
  text: string;
  values: unknown[];
  name: string | undefined;
}

/** What Kysely gets for a held statement: no rows (its Postgres driver counts rows only for INSERT/UPDATE/DELETE/MERGE). */
const HELD = Object.freeze({ command: 'HELD', rowCount: null, rows: [] });

const TRANSACTION_START = /^\s*(begin|start transaction)\b/i;
const COMMIT = /^\s*commit\s*$/i;
const ROLLBACK = /^\s*rollback\s*$/i;
const SAVEPOINT = /^\s*(savepoint|release)\s/i;

/**
 * pg.Query with the held statements' messages written before its own, under its one Sync, and with the statements sent
 * `together` with it (answered: each is described, so its rows can be read) between those and its own. Named
 * statements that this connection has not parsed yet are parsed first, before anything runs, so an error later in the
 * sequence cannot leave their state unknown; which of them the server did parse is counted from its ParseComplete
 * answers. The server answers every statement of the sequence with a result of its own, in order (node-postgres
 * collects them in an array).
 */
function queryWithHeldClass({ Query, prepareValue }: PgDriverParts) {
  const Base = Query as unknown as new (config: object) => {
    prepare(connection: PgConnection): void;
    handleError(error: unknown, connection: PgConnection): unknown;
    handleReadyForQuery(connection: PgConnection): unknown;
  };
  return class QueryWithHeld extends Base {
    readonly #held: readonly Held[];
    readonly #answered: readonly Held[];
    readonly #main: Held;
    /** Named statements parsed by this sequence, in the order of their Parse messages, and how many the server confirmed. */
    #parsing: Held[] = [];
    #confirmed = 0;
    readonly #onParseComplete = () => void this.#confirmed++;

    constructor(held: readonly Held[], answered: readonly Held[], main: Held) {
      super({ text: main.text, values: main.values, ...(main.name !== undefined ? { name: main.name } : {}), queryMode: 'extended' });
      this.#held = held;
      this.#answered = answered;
      this.#main = main;
    }

    override prepare(connection: PgConnection): void {
      const known = (name: string) => connection.parsedStatements[name] !== undefined || connection.submittedNamedStatements[name] !== undefined;
      for (const statement of [...this.#held, ...this.#answered, this.#main]) {
        if (statement.name === undefined || known(statement.name)) continue;
        connection.parse({ text: statement.text, name: statement.name, types: [] });
        connection.submittedNamedStatements[statement.name] = statement.text;
        this.#parsing.push(statement);
      }
      if (this.#parsing.length > 0) connection.on('parseComplete', this.#onParseComplete);
      const run = ({ text, values, name }: Held, describe: boolean) => {
        if (name === undefined) connection.parse({ text, name: '', types: [] });
        connection.bind({ portal: '', statement: name ?? '', values: values.map((value) => prepareValue(value)) });
        if (describe) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      };
      // No Describe for a held statement: it answers no rows (preparedWrite refuses one that would).
      for (const statement of this.#held) run(statement, false);
      for (const statement of this.#answered) run(statement, true);
      super.prepare(connection);
    }

    override handleError(error: unknown, connection: PgConnection): unknown {
      this.#settleParses(connection, true);
      return super.handleError(error, connection);
    }

    override handleReadyForQuery(connection: PgConnection): unknown {
      this.#settleParses(connection, false);
      return super.handleReadyForQuery(connection);
    }

    /** The server skips everything after an error up to the Sync: only the Parses it confirmed took effect. */
    #settleParses(connection: PgConnection, failed: boolean): void {
      if (this.#parsing.length === 0) return;
      connection.removeListener('parseComplete', this.#onParseComplete);
      this.#parsing.forEach(({ name, text }, i) => {
        if (!failed || i < this.#confirmed) {
          connection.parsedStatements[name!] = text;
        } else {
          // node-postgres marks the query's own name parsed on any ParseComplete while it is active.
          delete connection.parsedStatements[name!];
          delete connection.submittedNamedStatements[name!];
        }
      });
      this.#parsing = [];
    }
  };
}

class Pipeline {
  /** Statements held for the next one, in order. */
  #held: Held[] = [];
  /** Inside a transaction whose BEGIN is still held: nothing of it has reached the server. */
  #nothingSent = false;
  #inTransaction = false;

  constructor(
    private readonly send: (text: unknown, values?: unknown, ...rest: unknown[]) => unknown,
    private readonly QueryWithHeld: ReturnType<typeof queryWithHeldClass>,
  ) {}

  query(text: unknown, values?: unknown, ...rest: unknown[]): unknown {
    if (typeof text !== 'string' || rest.length > 0 || (values !== undefined && !Array.isArray(values))) {
      if (this.#held.length > 0) throw new Error('a query of another form inside a transaction with held statements');
      return this.send(text, values, ...rest);
    }
    if (text === TOGETHER_SQL) return this.#together(values as readonly { sql: string; parameters: readonly unknown[] }[]);
    const parameters = (values ?? []) as unknown[];
    const withoutParameters = parameters.length === 0;
    if (withoutParameters && TRANSACTION_START.test(text)) {
      this.#inTransaction = true;
      this.#nothingSent = true;
      return this.#hold(text, parameters);
    }
    if (this.#inTransaction && ((withoutParameters && SAVEPOINT.test(text)) || isWriteWithoutAnswer(text))) return this.#hold(text, parameters);
    if (withoutParameters && ROLLBACK.test(text)) {
      const nothingSent = this.#nothingSent;
      this.#endTransaction();
      // What was held rolls back unsent; a transaction the server never saw needs no ROLLBACK.
      if (nothingSent) return Promise.resolve(HELD);
      return this.send(text, parameters);
    }
    const held = this.#held;
    if (withoutParameters && COMMIT.test(text)) {
      const nothingSent = this.#nothingSent;
      this.#endTransaction();
      if (nothingSent && held.every((statement) => !isWriteWithoutAnswer(statement.text))) return Promise.resolve(HELD);
    }
    this.#held = [];
    this.#nothingSent = false;
    const name = parameters.length > 0 ? statementNameOf(text) : undefined;
    if (held.length === 0) return name === undefined ? this.send(text, parameters) : this.send({ name, text, values: parameters });
    const query = new this.QueryWithHeld(held, [], { text, values: parameters, name });
    return new Promise((resolve, reject) => {
      this.send(query, (error: unknown, results: unknown) => (error ? reject(error) : resolve(lastResults(results, 1)[0])));
    });
  }

  /**
   * Statements sent together (prepared.ts `together`): one message sequence after whatever is held, one Sync, one
   * reply; answered as one result whose rows are the statements' results, in order.
   */
  #together(compiled: readonly { sql: string; parameters: readonly unknown[] }[]): Promise<unknown> {
    const statements: Held[] = compiled.map(({ sql, parameters }) => ({
      text: sql,
      values: [...parameters],
      name: parameters.length > 0 ? statementNameOf(sql) : undefined,
    }));
    const held = this.#held;
    this.#held = [];
    this.#nothingSent = false;
    const query = new this.QueryWithHeld(held, statements.slice(0, -1), statements[statements.length - 1]!);
    return new Promise((resolve, reject) => {
      this.send(query, (error: unknown, results: unknown) =>
        error ? reject(error) : resolve({ command: 'TOGETHER', rowCount: null, rows: lastResults(results, statements.length) }),
      );
    });
  }

  #hold(text: string, values: unknown[]): Promise<unknown> {
    this.#held.push({ text, values, name: values.length > 0 ? statementNameOf(text) : undefined });
    return Promise.resolve(HELD);
  }

  #endTransaction(): void {
    this.#inTransaction = false;
    this.#nothingSent = false;
    this.#held = [];
  }
}

/** The answer to a sequence is one result per statement (an array when there is more than one): the last `count`. */
function lastResults(results: unknown, count: number): unknown[] {
  return Array.isArray(results) ? results.slice(results.length - count) : [results];
}

/** The pool's clients answer Kysely's queries through a Pipeline each. */
export function withPipelinedStatements<P extends { connect(): Promise<unknown> }>(pool: P, driver: PgDriverParts): P {
  const QueryWithHeld = queryWithHeldClass(driver);
  const pipelined = new WeakSet<object>();
  const connect = pool.connect.bind(pool);
  pool.connect = async () => {
    const client = (await connect()) as PgClient;
    if (!pipelined.has(client)) {
      pipelined.add(client);
      const send = client.query.bind(client) as (text: unknown, values?: unknown, ...rest: unknown[]) => unknown;
      const pipeline = new Pipeline(send, QueryWithHeld);
      client.query = (text: unknown, values?: unknown, ...rest: unknown[]) => pipeline.query(text, values, ...rest);
    }
    return client;
  };
  return pool;
}
