import { sql, type Kysely, type Migration } from 'kysely';
import { createInsertOnlyGuards, dropInsertOnlyGuards, idColumnType, moveLedgerLinesIntoEntries, type DialectKind } from '../dialect.ts';

/**
 * The ledger journal: lines belong to an entry, and an entry is a payment operation's postings, a settlement's, or
 * stands alone. The back office can then post money that is no payment operation (fees, payouts). Existing lines get
 * one entry per operation, with the operation's time; nothing else changes.
 */
export function ledgerJournal(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      const id = idColumnType(kind);
      await db.schema
        .createTable('ledger_entry')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('payment_operation', 'settlement', 'standalone')`))
        .addColumn('operation_id', 'bigint', (c) => c.unique().references('payment_operation.id'))
        .addColumn('payment_id', 'bigint')
        .addColumn('settlement_id', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addCheckConstraint('ledger_entry_operation_iff_kind', sql`(kind = 'payment_operation') = (operation_id IS NOT NULL AND payment_id IS NOT NULL)`)
        .execute();
      await sql`INSERT INTO ledger_entry (msn, kind, operation_id, payment_id, created_at_ms)
        SELECT msn, 'payment_operation', operation_id, payment_id, MIN(created_at_ms)
        FROM ledger_line GROUP BY operation_id, payment_id, msn ORDER BY operation_id`.execute(db);
      await dropInsertOnlyGuards(db, kind, 'ledger_line');
      await moveLedgerLinesIntoEntries(db, kind);
      await db.schema.createIndex('ledger_line_by_payment').ifNotExists().on('ledger_line').column('payment_id').execute();
      await db.schema.createIndex('ledger_line_by_entry').on('ledger_line').column('entry_id').execute();
      await createInsertOnlyGuards(db, kind, ['ledger_entry', 'ledger_line']);
    },
  };
}
