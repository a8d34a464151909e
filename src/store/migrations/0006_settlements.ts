import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import { osloDateOf } from '../../domain/bank-calendar.ts';
import { idColumnType, type DialectKind } from '../dialect.ts';

/**
 * The back office: each sales unit's fees and settlement terms; one booking per capture, SALE and refund on the
 * sales unit's ledger for its Oslo ledger date; the closed ledger dates; the settlements (one payout each) and their booking by the merchant's bank; and the
 * Report API's entries, written once when their ledger date closes. Captures and refunds recorded before this
 * migration are booked for the Oslo date they happened on, without fees (there were none).
 */
export function settlements(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      const id = idColumnType(kind);
      const primaryId = (c: any) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
      await db.schema.alterTable('sales_unit').addColumn('fee_basis_points', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('sales_unit').addColumn('fee_fixed_ore', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .alterTable('sales_unit')
        .addColumn('settlement_type', 'text', (c) => c.notNull().defaultTo('net').check(sql`settlement_type IN ('net', 'gross')`))
        .execute();
      await db.schema
        .alterTable('sales_unit')
        .addColumn('payout_frequency', 'text', (c) => c.notNull().defaultTo('daily').check(sql`payout_frequency IN ('daily', 'weekly', 'monthly')`))
        .execute();

      await db.schema
        .createTable('settlement_booking')
        .addColumn('id', id, primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'bigint', (c) => c.notNull().unique())
        .addColumn('payment_id', 'bigint', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('capture', 'refund')`))
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore > 0`))
        .addColumn('fee_ore', 'bigint', (c) => c.notNull().check(sql`fee_ore >= 0`))
        .addColumn('ledger_date', 'text', (c) => c.notNull())
        .addColumn('booked_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('settlement_booking_by_date').on('settlement_booking').columns(['msn', 'ledger_date']).execute();

      await db.schema
        .createTable('ledger_date_close')
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('ledger_date', 'text', (c) => c.notNull())
        .addColumn('closed_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_date_close_pk', ['msn', 'ledger_date'])
        .execute();

      await db.schema
        .createTable('settlement')
        .addColumn('id', id, primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('ledger_date_from', 'text', (c) => c.notNull())
        .addColumn('ledger_date_to', 'text', (c) => c.notNull())
        .addColumn('settlement_type', 'text', (c) => c.notNull())
        .addColumn('captures_ore', 'bigint', (c) => c.notNull())
        .addColumn('refunds_ore', 'bigint', (c) => c.notNull())
        .addColumn('fees_ore', 'bigint', (c) => c.notNull())
        .addColumn('payout_ore', 'bigint', (c) => c.notNull().check(sql`payout_ore > 0`))
        .addColumn('computed_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('payout_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('bank_booked_at_ms', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('settlement_one_per_end_date', ['msn', 'ledger_date_to'])
        .execute();

      await db.schema
        .createTable('settlement_bank_booking')
        .addColumn('settlement_id', 'bigint', (c) => c.primaryKey())
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('booked_at_ms', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('report_entry')
        .addColumn('id', id, primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull().check(sql`topic IN ('funds', 'fees')`))
        .addColumn('ledger_date', 'text', (c) => c.notNull())
        .addColumn('entry_type', 'text', (c) => c.notNull())
        .addColumn('amount_ore', 'bigint', (c) => c.notNull())
        .addColumn('balance_before_ore', 'bigint', (c) => c.notNull())
        .addColumn('balance_after_ore', 'bigint', (c) => c.notNull())
        .addColumn('operation_id', 'bigint')
        .addColumn('psp_reference', 'text')
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('settlement_id', 'bigint')
        .execute();
      await db.schema.createIndex('report_entry_by_topic').on('report_entry').columns(['msn', 'topic', 'id']).execute();
      await db.schema.createIndex('report_entry_by_date').on('report_entry').columns(['msn', 'topic', 'ledger_date', 'id']).execute();

      const earlier = await db
        .selectFrom('payment_operation')
        .innerJoin('payment', 'payment.id', 'payment_operation.payment_id')
        .select(['payment_operation.id', 'payment_operation.payment_id', 'payment_operation.msn', 'payment_operation.kind', 'payment_operation.amount_ore', 'payment_operation.created_at_ms', 'payment.order_id'])
        .where('payment_operation.kind', 'in', ['capture', 'sale', 'refund'])
        .orderBy('payment_operation.id')
        .execute();
      for (const op of earlier) {
        await db
          .insertInto('settlement_booking')
          .values({
            msn: op.msn,
            operation_id: op.id,
            payment_id: op.payment_id,
            order_id: op.order_id,
            kind: op.kind === 'refund' ? 'refund' : 'capture',
            amount_ore: op.amount_ore,
            fee_ore: 0,
            ledger_date: osloDateOf(Number(op.created_at_ms)),
            booked_at_ms: op.created_at_ms,
          })
          .execute();
      }
    },
  };
}
