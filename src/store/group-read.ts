/** What the group read needs of a read connection: a statement per SQL text, and the connection's own SQL. */
export interface ReadConnection {
  prepare(sqlText: string): { all(parameters: unknown[]): unknown[] };
  exec(sqlText: string): void;
  readonly inTransaction: boolean;
  close(): void;
}

interface Read {
  sqlText: string;
  parameters: unknown[];
  resolve: (rows: unknown[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group read for SQLite's read connection, the read side of group commit (store/group-commit.ts).
 *
 * Each statement outside a transaction is a read transaction of its own, and in WAL mode starting and ending one
 * takes and drops two file locks (four `fcntl` calls per read under strace): on this kind of virtual machine each
 * system call costs microseconds, about a third of a warm `/details` read (bench/README.md). So the reads requested
 * during one turn of the event loop run together on the next check phase (setImmediate), in one read transaction:
 * one snapshot, one pair of locks.
 *
 * Every read runs after it was requested, so it sees every commit that returned before the request: a group never
 * answers from a snapshot older than its reads. A read that fails rejects alone; the others of its group answer.
 */
export class GroupRead {
  readonly #connection: ReadConnection;
  #queue: Read[] = [];
  #scheduled = false;

  constructor(connection: ReadConnection) {
    this.#connection = connection;
  }

  run(sqlText: string, parameters: readonly unknown[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ sqlText, parameters: parameters as unknown[], resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#runGroup());
    });
  }

  #runGroup(): void {
    this.#scheduled = false;
    const group = this.#queue;
    this.#queue = [];
    const shared = group.length > 1;
    if (shared) this.#connection.exec('BEGIN');
    try {
      for (const read of group) {
        try {
          read.resolve(this.#connection.prepare(read.sqlText).all(read.parameters));
        } catch (error) {
          read.reject(error);
        }
      }
    } finally {
      if (shared) this.#end();
    }
  }

  /**
   * Ends the group's read transaction. Every read has been answered by now; an error here (SQLite may already have
   * ended the transaction after a failed read) must not leave the connection inside one, or every later group's
   * BEGIN would fail.
   */
  #end(): void {
    try {
      this.#connection.exec('COMMIT');
    } catch {
      if (this.#connection.inTransaction) this.#connection.exec('ROLLBACK');
    }
  }

  /** Answers the reads still waiting, then closes the connection. */
  close(): void {
    if (this.#queue.length > 0) this.#runGroup();
    this.#connection.close();
  }
}
