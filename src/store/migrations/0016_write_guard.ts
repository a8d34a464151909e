import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `write_guard`: a table that can hold no row (store/write-guard.ts). A write sent without waiting for its answer
 * (PostgreSQL, held until the transaction's next statement) inserts a row here when it changed nothing it had to
 * change, and the CHECK fails the whole transaction with it; the use case then runs again, waiting for each answer.
 */
export function writeGuard(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('write_guard')
        .addColumn('guard', 'text', (col) => col.notNull())
        .addCheckConstraint('write_guard_never', sql`false`)
        .execute();
    },
  };
}
