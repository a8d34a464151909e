import type { Kysely, Migration } from 'kysely';

/**
 * - The portal's amount index carries the payment id, so that its probe and its top-of-range read never visit the
 *   table: SQLite's indexes hold the rowid (= id) anyway, but a PostgreSQL index without `id` sends every matching
 *   entry to the heap (measured at 1 000 000 payments: 61 ms for a probe of 2 001 entries, bench/README.md).
 * - `payment_operation_by_time` (0012) repeated `payment_operation_portal_days` (0009) column for column: every
 *   operation paid for the same index twice.
 */
export function portalIndexes(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.dropIndex('payment_portal_by_amount').execute();
      await db.schema.createIndex('payment_portal_by_amount').on('payment').columns(['msn', 'amount_ore', 'state', 'created_at_ms', 'id']).execute();
      await db.schema.dropIndex('payment_operation_by_time').execute();
    },
  };
}
