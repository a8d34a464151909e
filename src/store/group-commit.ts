import { CompiledQuery, type ControlledTransaction, type Kysely, type Transaction } from 'kysely';
import { execute, executeDirectly, stopExecutingDirectly, type DirectExecutor } from './direct-execution.ts';
import type { Database } from './schema.ts';

// The Kysely types themselves, not db.ts's aliases: db.ts builds a GroupCommit, so importing it back would be a cycle.
type Db = Kysely<Database>;
type Trx = Transaction<Database>;

/** How many commands one batch may hold, and for how long it keeps admitting more: bounds every caller's wait. */
export interface GroupCommitLimits {
  maxCommands: number;
  maxAdmitMs: number;
}

export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = { maxCommands: 64, maxAdmitMs: 10 };

export interface GroupCommitStats {
  batches: number;
  commands: number;
  largestBatch: number;
}

interface Command {
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const SAVEPOINT = 'kasse_command';

/**
 * Group commit for SQLite (one connection, `synchronous = FULL`): every COMMIT waits for an fsync, and
 * better-sqlite3 waits on the event loop, so one commit per transaction made the fsync the cost of every write.
 *
 * Commands that arrive while nothing runs start a batch on the next turn of the event loop (setImmediate, after the
 * I/O callbacks of this turn have queued theirs); commands that arrive while a batch runs join it until it is full
 * (`maxCommands`) or has been admitting for `maxAdmitMs`, else they wait for the next batch. The batch is one
 * transaction that takes the connection through the store's FIFO queue like any query; each command runs in its own
 * SAVEPOINT, in arrival order, so a command that throws is rolled back alone and the others commit. One COMMIT (one
 * fsync) ends the batch, and only then is any caller answered: no result leaves before it is durable, and no refusal
 * leaves before the state it was decided on is durable either. If the COMMIT (or the transaction itself) fails,
 * every command of the batch fails with that error and none took effect. While the batch holds the write connection,
 * its savepoints and the commands' prepared statements run on it directly (store/direct-execution.ts).
 */
export class GroupCommit {
  readonly #db: Db;
  readonly #limits: GroupCommitLimits;
  readonly #queue: Command[] = [];
  #scheduled = false;
  #running = false;
  readonly stats: GroupCommitStats = { batches: 0, commands: 0, largestBatch: 0 };

  /** Runs the batch's statements on the write connection it holds (null: everything through Kysely). */
  readonly #writer: DirectExecutor | null;

  constructor(db: Db, limits: GroupCommitLimits = DEFAULT_GROUP_COMMIT_LIMITS, writer: DirectExecutor | null = null) {
    this.#db = db;
    this.#limits = limits;
    this.#writer = writer;
  }

  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#runBatch();
    });
  }

  async #runBatch(): Promise<void> {
    this.#running = true;
    const batch: Array<{ command: Command; outcome?: Outcome }> = [];
    try {
      const trx = await this.#db.startTransaction().execute();
      const admitUntil = performance.now() + this.#limits.maxAdmitMs;
      try {
        if (this.#writer) executeDirectly(trx, this.#writer);
        try {
          while (this.#queue.length > 0 && batch.length < this.#limits.maxCommands && (batch.length === 0 || performance.now() < admitUntil)) {
            // In the batch before it runs: if its rollback fails, the batch's failure reaches it too.
            const entry: { command: Command; outcome?: Outcome } = { command: this.#queue.shift()! };
            batch.push(entry);
            entry.outcome = await runIsolated(trx, entry.command.work);
          }
        } finally {
          // A handle a command kept beyond its batch must not reach the connection directly any more.
          stopExecutingDirectly(trx);
        }
        await trx.commit().execute();
      } catch (error) {
        // A failed ROLLBACK TO or COMMIT: the transaction is unusable, nothing of the batch is kept.
        await trx.rollback().execute().catch(() => {});
        throw error;
      }
      this.stats.batches++;
      this.stats.commands += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      for (const { command, outcome } of batch) {
        if (outcome!.ok) command.resolve(outcome!.value);
        else command.reject(outcome!.error);
      }
    } catch (error) {
      for (const { command } of batch) command.reject(error);
      // BEGIN itself failed (e.g. SQLITE_BUSY from another process): the first waiting command gets the error, the
      // rest get a batch of their own, so one refusal cannot loop.
      if (batch.length === 0) this.#queue.shift()?.reject(error);
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}

// The SQL Kysely's savepoint methods write (the reliability tests' preload recognises a command by it).
const SAVEPOINT_SQL = CompiledQuery.raw(`savepoint "${SAVEPOINT}"`);
const RELEASE_SQL = CompiledQuery.raw(`release "${SAVEPOINT}"`);
const ROLLBACK_TO_SQL = CompiledQuery.raw(`rollback to "${SAVEPOINT}"`);

/** One command in a savepoint of its own, on the batch's handle: its writes stay only if it does not throw. */
async function runIsolated(trx: ControlledTransaction<Database>, work: (trx: Trx) => Promise<unknown>): Promise<Outcome> {
  await execute(trx, SAVEPOINT_SQL);
  try {
    const value = await work(trx);
    await execute(trx, RELEASE_SQL);
    return { ok: true, value };
  } catch (error) {
    await execute(trx, ROLLBACK_TO_SQL);
    await execute(trx, RELEASE_SQL);
    return { ok: false, error };
  }
}
