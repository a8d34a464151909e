import { sql, type Kysely, type Migration } from 'kysely';
import { idColumnType, type DialectKind } from '../dialect.ts';

/** The user's side: richer test users, banks, cards, and the holds banks place on cards. */
export function usersCardsBanks(kind: DialectKind): Migration {
  const id = idColumnType(kind);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('bank')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hold_days', 'integer', (c) => c.notNull().check(sql`hold_days BETWEEN 1 AND 60`))
        .addColumn('force_through', 'integer', (c) => c.notNull())
        .addColumn('refund_arrival_bank_days', 'integer', (c) => c.notNull().check(sql`refund_arrival_bank_days BETWEEN 0 AND 30`))
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();

      for (const [column, type, build] of [
        ['step_up_limit_ore', 'bigint', null],
        ['app_version', 'text', (c: any) => c.notNull().defaultTo('26.1.0')],
        ['can_pay_businesses', 'integer', (c: any) => c.notNull().defaultTo(1)],
        ['user_id', 'text', null],
        ['birth_date', 'text', null],
        ['nin', 'text', null],
      ] as const) {
        await db.schema
          .alterTable('test_user')
          .addColumn(column, type, build ?? ((c) => c))
          .execute();
      }

      await db.schema
        .createTable('card')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('msisdn', 'text', (c) => c.notNull().references('test_user.msisdn'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('brand', 'text', (c) => c.notNull())
        .addColumn('bin', 'integer', (c) => c.notNull())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('expiry_month', 'text', (c) => c.notNull())
        .addColumn('bank_id', 'text', (c) => c.notNull().references('bank.id'))
        .addColumn('available_ore', 'bigint', (c) => c.notNull())
        .addColumn('max_amount_ore', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('active', 'replaced', 'blocked')`))
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('card_by_user').on('card').column('msisdn').execute();

      await db.schema
        .createTable('card_hold')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('card_id', 'text', (c) => c.notNull().references('card.id'))
        .addColumn('payment_id', 'bigint', (c) => c.notNull().references('payment.id'))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore > 0`))
        .addColumn('captured_ore', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('held', 'lapsed', 'settled', 'released')`))
        .addColumn('lapses_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('settles_at_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addCheckConstraint('card_hold_capture_within_hold', sql`captured_ore >= 0 AND captured_ore <= amount_ore`)
        .execute();
      await db.schema.createIndex('card_hold_by_payment').on('card_hold').column('payment_id').execute();
      await db.schema.createIndex('card_hold_due').on('card_hold').columns(['status', 'lapses_at_ms']).execute();

      await db.schema
        .createTable('card_credit')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('card_id', 'text', (c) => c.notNull().references('card.id'))
        .addColumn('payment_id', 'bigint', (c) => c.notNull())
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore > 0`))
        .addColumn('due_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('applied_at_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('card_credit_due').on('card_credit').columns(['applied_at_ms', 'due_at_ms']).execute();

      for (const [column, type] of [
        ['card_id', 'text'],
        ['pushed_to_msisdn', 'text'],
        ['issuer_pending_until_ms', 'bigint'],
      ] as const) {
        await db.schema.alterTable('payment').addColumn(column, type).execute();
      }
      await db.schema.alterTable('payment_operation').addColumn('error_key', 'text').execute();
    },
  };
}
