import type { Kysely, Migration } from 'kysely';
import { rebuildSqliteTable, type DialectKind } from '../dialect.ts';
import { createEcommV2RequestTable, createPaymentSessionTable } from './0008_payment_split.ts';

/**
 * SQLite only: the two tables beside `payment` (0008) were keyed by a `bigint` payment id, which SQLite keeps as a
 * unique index beside the table's rowid: every read by payment (four locked reads and a details read per payment)
 * descended two B-trees per table, every insert wrote two, and each index was one more page in most group commits
 * (bench/README.md, session 13). As `integer primary key` the payment id is the rowid. PostgreSQL keeps a heap and an
 * index per key either way.
 *
 * Not done, measured: `idempotency_key` WITHOUT ROWID. Its rows (the stored outcome, ~1.1 KB) would then sit in the
 * order of their keys, not of their arrival, and a group commit wrote 22 of its pages instead of ~7.
 */
export function sqliteRowidKeys(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      if (kind !== 'sqlite') return;
      await rebuildSqliteTable(db, 'ecomm_v2_request', (name) => createEcommV2RequestTable(db, name, 'integer'));
      await rebuildSqliteTable(db, 'payment_session', (name) => createPaymentSessionTable(db, name, 'integer'));
    },
  };
}
