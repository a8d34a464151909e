/**
 * PostgreSQL's round trips (the driver's side; the SQL is in dialect.ts). A transaction's BEGIN, its SAVEPOINTs
 * and its writes whose answer nobody reads (prepared.ts `preparedWrite`) are sent at once and not waited for: the
 * pool's clients run in node-postgres's pipeline mode, and their answers are read together with the next statement's,
 * which goes out in the same write. A capture, for instance, went from ten round trips to seven.
 *
 * Nothing is acknowledged sooner: COMMIT is still waited for, and a transaction's statements still run one after the
 * other in the order they were issued, so each sees what the ones before it wrote. What changes is where an error
 * shows: a statement that was not waited for and failed makes the next one fail with its error (the same error, so
 * a serialization failure is still retried), and the transaction rolls back as it would have.
 * Prepared statements keep their server-side names (parsed and planned once per connection).
 */
import { statementNameOf, isWriteWithoutAnswer } from './prepared.ts';

/** The part of a node-postgres pool client this needs. */
interface PipelineClient {
  query(text: unknown, values?: unknown, ...rest: unknown[]): unknown;
  connection: { stream: { cork(): void; uncork(): void } };
}

interface PoolLike {
  connect(): Promise<unknown>;
}

/** An answer Kysely reads as "no rows" (its Postgres driver turns only INSERT/UPDATE/DELETE/MERGE into a count). */
const NOT_WAITED_FOR = Object.freeze({ command: 'PIPELINED', rowCount: null, rows: [] });

const TRANSACTION_START = /^\s*(begin|start transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback)\s*$/i;
const SAVEPOINT = /^\s*(savepoint|release)\s/i;

class Pipeline {
  #inTransaction = false;
  /** Statements sent and not yet waited for, in order; their answers arrive before the next statement's. */
  #unanswered: Array<Promise<unknown>> = [];
  #corked = false;

  constructor(private readonly client: PipelineClient, private readonly send: (text: unknown, values?: unknown, ...rest: unknown[]) => unknown) {}

  query(text: unknown, values?: unknown, ...rest: unknown[]): unknown {
    if (typeof text !== 'string' || rest.length > 0 || (values !== undefined && !Array.isArray(values))) {
      return this.#waitedFor(this.send(text, values, ...rest) as Promise<unknown>);
    }
    const parameters = values as unknown[] | undefined;
    const withoutParameters = parameters === undefined || parameters.length === 0;
    const starts = withoutParameters && TRANSACTION_START.test(text);
    const ends = withoutParameters && TRANSACTION_END.test(text);
    if (starts) this.#inTransaction = true;
    const waited = !starts && !(this.#inTransaction && ((withoutParameters && SAVEPOINT.test(text)) || isWriteWithoutAnswer(text)));
    // Corked first, so the statement and any after it leave in one write with the next waited-for one.
    if (!waited) this.#cork();
    const name = parameters !== undefined ? statementNameOf(text) : undefined;
    const statement = (name === undefined ? this.send(text, parameters) : this.send({ name, text, values: parameters })) as Promise<unknown>;
    if (!waited) return this.#notWaitedFor(statement);
    if (ends) {
      this.#inTransaction = false;
      // A ROLLBACK discards whatever failed before it; a COMMIT reports it.
      if (/rollback/i.test(text)) this.#forgetUnanswered();
    }
    return this.#waitedFor(statement);
  }

  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.client.connection.stream.cork();
    // A transaction whose next statement waits for something else first still gets its BEGIN on the wire.
    setImmediate(() => this.#uncork());
  }

  #forgetUnanswered(): void {
    this.#unanswered = [];
  }

  /** Sent into the corked socket (it leaves with the next statement) and answered as done. */
  #notWaitedFor(statement: Promise<unknown>): Promise<unknown> {
    // Its error is reported by the next statement; until then it must not count as unhandled.
    statement.catch(() => {});
    this.#unanswered.push(statement);
    return Promise.resolve(NOT_WAITED_FOR);
  }

  async #waitedFor(statement: Promise<unknown>): Promise<unknown> {
    this.#uncork();
    const unanswered = this.#unanswered;
    if (unanswered.length === 0) return statement;
    this.#unanswered = [];
    try {
      for (const earlier of unanswered) await earlier;
    } catch (error) {
      // The earlier failure is the cause; this statement then failed only because the transaction was aborted.
      statement.catch(() => {});
      throw error;
    }
    return statement;
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.client.connection.stream.uncork();
  }
}

/**
 * The pool's clients, in pipeline mode (the pool must be created with `pipeline: true`), answer Kysely's queries
 * through a Pipeline each.
 */
export function withPipelinedStatements<P extends PoolLike>(pool: P): P {
  const pipelined = new WeakSet<object>();
  const connect = pool.connect.bind(pool);
  pool.connect = async () => {
    const client = (await connect()) as PipelineClient;
    if (!pipelined.has(client)) {
      pipelined.add(client);
      const pipeline = new Pipeline(client, client.query.bind(client));
      client.query = (text: unknown, values?: unknown, ...rest: unknown[]) => pipeline.query(text, values, ...rest);
    }
    return client;
  };
  return pool;
}
