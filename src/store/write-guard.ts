import { sql, type Kysely, type UpdateQueryBuilder } from 'kysely';
import { preparedWrite, type PreparedWrite } from './prepared.ts';
import type { Database } from './schema.ts';

/**
 * An UPDATE that must change a row, as a write nobody waits for (PostgreSQL; prepared.ts `preparedWrite`): held and
 * sent with the transaction's next statement, typically its COMMIT, so it costs no round trip of its own. Its answer
 * (did a row match its guard?) is not read; instead the statement inserts a row into `write_guard` when the UPDATE
 * changed nothing, and that table's CHECK (false) fails the statement and with it the transaction: nothing of it is
 * committed. `inTransaction` (core/transaction.ts) then runs the use case again with `optimistic` off, and the step
 * waits for the UPDATE's answer and decides on it as before. Only for a guard that nearly always holds (the card has
 * the funds, the hold can pay the capture): the rare miss costs a second transaction.
 */
export function heldGuardedUpdate<P extends object>(
  guard: string,
  update: (db: Kysely<Database>, params: P) => UpdateQueryBuilder<Database, any, any, any>,
): PreparedWrite<P> {
  return preparedWrite<P>((db, params) =>
    db
      .with('guarded', () => update(db, params).returning(sql<number>`1`.as('changed')))
      .insertInto('write_guard')
      .columns(['guard'])
      .expression(sql`SELECT ${sql.lit(guard)} WHERE NOT EXISTS (SELECT 1 FROM guarded)`) as never,
  );
}

/** The failure of a held guarded update whose guard matched nothing (its transaction committed nothing). */
export function isWriteGuardFailure(error: unknown): boolean {
  const failure = error as { code?: unknown; constraint?: unknown } | null;
  return failure?.code === '23514' && failure.constraint === 'write_guard_never';
}
