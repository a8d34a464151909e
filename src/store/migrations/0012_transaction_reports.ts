import { sql, type Kysely, type Migration } from 'kysely';
import { createInsertOnlyGuards, idColumnType, type DialectKind } from '../dialect.ts';

/**
 * Transaction reports (issue 10 §3, issue 11 §2): a sales unit's subscriptions to daily or monthly reports (with an
 * optional e-mail address), the reports generated for each closed period (written once), and their e-mail delivery as
 * an outbox of its own (`report_mail`, leased and retried like callbacks) with every attempt recorded. Also: the back
 * office's tables that are only ever inserted into (bookings, closed dates, settlements, bank bookings, report
 * entries) now refuse UPDATE and DELETE at the engine level, as the ledger does (L2).
 */
export function transactionReports(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      const id = idColumnType(kind);
      const primaryId = (c: any) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());

      await db.schema
        .createTable('report_subscription')
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency IN ('daily', 'monthly')`))
        .addColumn('email', 'text')
        .addColumn('starts_on', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_subscription_pk', ['msn', 'frequency'])
        .execute();

      await db.schema
        .createTable('transaction_report')
        .addColumn('id', id, primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency IN ('daily', 'monthly')`))
        .addColumn('period_from', 'text', (c) => c.notNull())
        .addColumn('period_to', 'text', (c) => c.notNull())
        .addColumn('generated_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('operation_count', 'integer', (c) => c.notNull())
        // The last operation of the period (null: none): the files show the log up to it, so they never change.
        .addColumn('last_operation_id', 'bigint')
        .addUniqueConstraint('transaction_report_one_per_period', ['msn', 'frequency', 'period_from'])
        .execute();

      await db.schema
        .createTable('report_mail')
        .addColumn('id', id, primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('report_id', 'bigint', (c) => c.notNull().references('transaction_report.id'))
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('pending', 'delivered', 'dead')`))
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addCheckConstraint('report_mail_attempts_bounded', sql`attempts >= 0 AND attempts <= max_attempts`)
        .execute();
      await db.schema.createIndex('report_mail_due').on('report_mail').columns(['state', 'next_attempt_at_ms']).execute();
      await db.schema.createIndex('report_mail_by_report').on('report_mail').column('report_id').execute();

      await db.schema
        .createTable('report_mail_attempt')
        .addColumn('id', id, primaryId)
        .addColumn('mail_id', 'bigint', (c) => c.notNull().references('report_mail.id'))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('attempt_no', 'integer', (c) => c.notNull())
        .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('smtp_response', 'text')
        .addColumn('error', 'text')
        .addUniqueConstraint('report_mail_attempt_no', ['mail_id', 'attempt_no'])
        .execute();

      // A report reads the sales unit's operations of its period.
      await db.schema.createIndex('payment_operation_by_time').on('payment_operation').columns(['msn', 'created_at_ms']).execute();

      await createInsertOnlyGuards(db, kind, [
        'settlement_booking',
        'ledger_date_close',
        'settlement',
        'settlement_bank_booking',
        'report_entry',
        'transaction_report',
        'report_mail_attempt',
      ]);
    },
  };
}
