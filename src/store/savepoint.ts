import { CompiledQuery } from 'kysely';
import type { Trx } from './db.ts';
import { execute } from './direct-execution.ts';

/** The SAVEPOINT and ROLLBACK TO of each name, written once: both engines quote an identifier the same way. */
const statementsByName = new Map<string, { savepoint: CompiledQuery; rollback: CompiledQuery }>();

function statementsOf(name: string): { savepoint: CompiledQuery; rollback: CompiledQuery } {
  let statements = statementsByName.get(name);
  if (statements === undefined) {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`a savepoint name of lower-case letters and underscores, not ${JSON.stringify(name)}`);
    statements = { savepoint: CompiledQuery.raw(`SAVEPOINT "${name}"`), rollback: CompiledQuery.raw(`ROLLBACK TO SAVEPOINT "${name}"`) };
    statementsByName.set(name, statements);
  }
  return statements;
}

/**
 * Run `work` inside a savepoint of the open transaction. `keep(error)` says whether what `work` wrote stays when it
 * throws (a recorded refusal) or is rolled back to the savepoint (everything else); the error is rethrown either way.
 * The savepoint is not released: the transaction's commit (or the group commit's release of the command's own
 * savepoint) releases it, and a RELEASE of its own would be one more round trip on PostgreSQL for nothing.
 */
export async function withinSavepoint<T>(trx: Trx, name: string, work: () => Promise<T>, keep: (error: unknown) => boolean): Promise<T> {
  const { savepoint, rollback } = statementsOf(name);
  await execute(trx, savepoint);
  try {
    return await work();
  } catch (error) {
    if (!keep(error)) await execute(trx, rollback);
    throw error;
  }
}
