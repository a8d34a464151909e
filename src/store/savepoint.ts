import { sql } from 'kysely';
import type { Trx } from './db.ts';
import { execute } from './direct-execution.ts';

/**
 * Run `work` inside a savepoint of the open transaction. `keep(error)` says whether what `work` wrote stays when it
 * throws (a recorded refusal) or is rolled back to the savepoint (everything else); the error is rethrown either way.
 * The savepoint is not released: the transaction's commit (or the group commit's release of the command's own
 * savepoint) releases it, and a RELEASE of its own would be one more round trip on PostgreSQL for nothing.
 */
export async function withinSavepoint<T>(trx: Trx, name: string, work: () => Promise<T>, keep: (error: unknown) => boolean): Promise<T> {
  const savepoint = sql.id(name);
  await execute(trx, sql`SAVEPOINT ${savepoint}`.compile(trx));
  try {
    return await work();
  } catch (error) {
    if (!keep(error)) await execute(trx, sql`ROLLBACK TO SAVEPOINT ${savepoint}`.compile(trx));
    throw error;
  }
}
