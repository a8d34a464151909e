import { sql } from 'kysely';
import type { Trx } from './db.ts';

/**
 * Run `work` inside a savepoint of the open transaction. `keep(error)` says whether what `work` wrote stays when it
 * throws (a recorded refusal) or is rolled back to the savepoint (everything else); the error is rethrown either way.
 */
export async function withinSavepoint<T>(trx: Trx, name: string, work: () => Promise<T>, keep: (error: unknown) => boolean): Promise<T> {
  const savepoint = sql.id(name);
  await sql`SAVEPOINT ${savepoint}`.execute(trx);
  try {
    const value = await work();
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    return value;
  } catch (error) {
    if (!keep(error)) await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    throw error;
  }
}
