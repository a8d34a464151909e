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
 * Prepared statements keep their server-side names: parsed and planned once per connection, and their rows described
 * once per connection (RowShape).
 */
import { compiledObject } from './compiled-object.ts';
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
  sync(): void;
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

/** A column of a RowDescription as node-postgres parses it. */
interface PgField {
  name: string;
  format: string;
}

/** node-postgres's Result: the members this file sets (`addFields` sets the first two from a RowDescription). */
interface PgResult {
  fields: PgField[];
  _parsers: Array<(value: string) => unknown> | undefined;
  command: string | null;
  parseRow(values: Array<string | null>): unknown;
}

/**
 * What a named statement's rows look like on one connection: its columns, their parsers and a function that makes a
 * row object with one object literal. The server describes a statement's rows once per connection; its later
 * executions skip the Describe, and the rows are made from this. A prepared statement's result columns cannot change
 * while it exists (the server refuses to run it if they would), so the shape stays right for as long as the name does.
 */
interface RowShape {
  fields: PgField[];
  parsers: Array<(value: string) => unknown>;
  parseRow: (values: Array<string | null>) => unknown;
}

/** The shape of a statement that answers no rows (a write without RETURNING). */
const NO_ROWS: RowShape = Object.freeze({
  fields: [],
  parsers: [],
  parseRow: () => {
    throw new Error('a statement that answers no rows answered one');
  },
});

const shapesByConnection = new WeakMap<PgConnection, Map<string, RowShape>>();

function shapesOf(connection: PgConnection): Map<string, RowShape> {
  let shapes = shapesByConnection.get(connection);
  if (shapes === undefined) shapesByConnection.set(connection, (shapes = new Map()));
  return shapes;
}

/** The shape of the rows `result` was just described with (text format only; undefined for anything else). */
function shapeOf(result: PgResult): RowShape | undefined {
  const { fields, _parsers: parsers } = result;
  if (parsers === undefined || fields.some((field) => field.format !== 'text')) return undefined;
  const make = compiledObject<[Array<string | null>, RowShape['parsers']]>(['values', 'parsers'], fields.map((field) => field.name), (_name, i) => `values[${i}] === null ? null : parsers[${i}](values[${i}])`);
  return { fields, parsers, parseRow: (values) => make(values, parsers) };
}

/** What Kysely gets for a held statement: no rows (its Postgres driver counts rows only for INSERT/UPDATE/DELETE/MERGE). */
const HELD = Object.freeze({ command: 'HELD', rowCount: null, rows: [] });

const TRANSACTION_START = /^\s*(begin|start transaction)\b/i;
const COMMIT = /^\s*commit\s*$/i;
const ROLLBACK = /^\s*rollback\s*$/i;
const SAVEPOINT = /^\s*(savepoint|release)\s/i;

/**
 * A pg.Query that sends a message sequence of its own under one Sync: the held statements (not described, they answer
 * no rows), then the statements sent `together` with it, then its own. Named statements that this connection has not
 * parsed yet are parsed first, before anything runs, so an error later in the sequence cannot leave their state
 * unknown; which of them the server did parse is counted from its ParseComplete answers. A named statement whose rows
 * this connection has seen described is not described again (RowShape). The server answers every statement of the
 * sequence with a result of its own, in order (node-postgres collects them in an array).
 */
function sequenceQueryClass({ Query, prepareValue }: PgDriverParts) {
  const Base = Query as unknown as new (config: object) => {
    _result: PgResult;
    _accumulateRows: boolean;
    _checkForMultirow(): void;
    handleRowDescription(message: unknown): void;
    handleDataRow(message: { fields: Array<string | null> }): void;
    handleCommandComplete(message: unknown, connection: PgConnection): void;
    handleEmptyQuery(connection: PgConnection): void;
    handleError(error: unknown, connection: PgConnection): unknown;
    handleReadyForQuery(connection: PgConnection): unknown;
  };
  return class SequenceQuery extends Base {
    readonly #sequence: readonly Held[];
    /** How many of the sequence are held (the first ones): they are not described. */
    readonly #heldCount: number;
    /** Named statements parsed by this sequence, in the order of their Parse messages, and how many the server confirmed. */
    #parsing: Held[] = [];
    #confirmed = 0;
    readonly #onParseComplete = () => void this.#confirmed++;
    /** The statement whose answer arrives now: the sequence's statements each end with a CommandComplete. */
    #current = 0;
    /** Whether the current statement was described, and whether its rows were (a statement that answers none is not). */
    #described: boolean[] = [];
    #rowsDescribed = false;
    #shapes: Map<string, RowShape> | undefined;

    constructor(held: readonly Held[], answered: readonly Held[], main: Held) {
      super({ text: main.text, values: main.values, ...(main.name !== undefined ? { name: main.name } : {}), queryMode: 'extended' });
      this.#sequence = [...held, ...answered, main];
      this.#heldCount = held.length;
      // Rows of a statement that is not described are kept as well (node-postgres decides this on a RowDescription).
      this._accumulateRows = true;
    }

    prepare(connection: PgConnection): void {
      // Every value is encoded before anything is written: a value that cannot be sent fails the query unsent.
      const encoded = this.#sequence.map(({ values }) => values.map((value) => prepareValue(value)));
      const shapes = (this.#shapes = shapesOf(connection));
      const known = (name: string) => connection.parsedStatements[name] !== undefined || connection.submittedNamedStatements[name] !== undefined;
      for (const statement of this.#sequence) {
        if (statement.name === undefined || known(statement.name)) continue;
        connection.parse({ text: statement.text, name: statement.name, types: [] });
        connection.submittedNamedStatements[statement.name] = statement.text;
        this.#parsing.push(statement);
      }
      if (this.#parsing.length > 0) connection.on('parseComplete', this.#onParseComplete);
      this.#described = this.#sequence.map(({ name }, i) => i >= this.#heldCount && (name === undefined || !shapes.has(name)));
      this.#sequence.forEach(({ text, name }, i) => {
        if (name === undefined) connection.parse({ text, name: '', types: [] });
        connection.bind({ portal: '', statement: name ?? '', values: encoded[i]! });
        if (this.#described[i]) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    }

    override handleRowDescription(message: unknown): void {
      super.handleRowDescription(message);
      this.#rowsDescribed = true;
      const { name } = this.#sequence[this.#current]!;
      const shape = shapeOf(this._result);
      if (shape === undefined) return;
      this._result.parseRow = shape.parseRow;
      if (name !== undefined) this.#shapes!.set(name, shape);
    }

    override handleDataRow(message: { fields: Array<string | null> }): void {
      if (!this.#described[this.#current] && (this._result.command !== null || this._result._parsers === undefined)) {
        // The first row of a statement that was not described: its result begins here, in the shape seen before.
        const shape = this.#shapes!.get(this.#sequence[this.#current]!.name!)!;
        this._checkForMultirow();
        Object.assign(this._result, { fields: shape.fields, _parsers: shape.parsers, parseRow: shape.parseRow });
      }
      super.handleDataRow(message);
    }

    override handleCommandComplete(message: unknown, connection: PgConnection): void {
      super.handleCommandComplete(message, connection);
      // A described named statement that answered no RowDescription (NoData: a write without RETURNING) never answers rows.
      const { name } = this.#sequence[this.#current]!;
      if (this.#described[this.#current] && !this.#rowsDescribed && name !== undefined) this.#shapes!.set(name, NO_ROWS);
      this.#rowsDescribed = false;
      this.#current++;
    }

    /** An empty statement answers EmptyQueryResponse instead of CommandComplete: the next one's answer follows. */
    override handleEmptyQuery(connection: PgConnection): void {
      super.handleEmptyQuery(connection);
      this.#rowsDescribed = false;
      this.#current++;
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
    private readonly SequenceQuery: ReturnType<typeof sequenceQueryClass>,
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
    if (held.length === 0 && name === undefined) return this.send(text, parameters);
    const query = new this.SequenceQuery(held, [], { text, values: parameters, name });
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
    const query = new this.SequenceQuery(held, statements.slice(0, -1), statements[statements.length - 1]!);
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
  const SequenceQuery = sequenceQueryClass(driver);
  const pipelined = new WeakSet<object>();
  const connect = pool.connect.bind(pool);
  pool.connect = async () => {
    const client = (await connect()) as PgClient;
    if (!pipelined.has(client)) {
      pipelined.add(client);
      const send = client.query.bind(client) as (text: unknown, values?: unknown, ...rest: unknown[]) => unknown;
      const pipeline = new Pipeline(send, SequenceQuery);
      client.query = (text: unknown, values?: unknown, ...rest: unknown[]) => pipeline.query(text, values, ...rest);
    }
    return client;
  };
  return pool;
}
