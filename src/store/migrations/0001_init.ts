import { sql, type Kysely, type Migration } from 'kysely';
import { createInsertOnlyGuards, idColumnType, type DialectKind } from '../dialect.ts';

export function initialSchema(kind: DialectKind): Migration {
  const id = idColumnType(kind);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('kasse_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('merchant')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('org_number', 'text')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sales_unit')
        .addColumn('msn', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchant.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('capture_type', 'text', (c) => c.notNull().check(sql`capture_type IN ('reserve', 'direct')`))
        .addColumn('express_allowed', 'integer', (c) => c.notNull())
        .addColumn('skip_landing_page_allowed', 'integer', (c) => c.notNull())
        .addColumn('nin_scope_allowed', 'integer', (c) => c.notNull())
        .addColumn('rate_limits_enabled', 'integer', (c) => c.notNull())
        .addColumn('callback_max_attempts', 'integer', (c) => c.notNull().check(sql`callback_max_attempts BETWEEN 1 AND 20`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('active', 'deactivated', 'blocked')`))
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_key')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('msn', 'text', (c) => c.notNull().references('sales_unit.msn'))
        .addColumn('client_secret_sha256', 'text', (c) => c.notNull())
        .addColumn('subscription_key_sha256', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at_ms', 'bigint')
        .execute();
      await db.schema.createIndex('api_key_by_msn').on('api_key').column('msn').execute();

      await db.schema
        .createTable('test_user')
        .addColumn('msisdn', 'text', (c) => c.primaryKey())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('bankid_verified', 'integer', (c) => c.notNull())
        .addColumn('card_bin', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('payment')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql`state IN ('initiated', 'reserved', 'captured', 'voided', 'cancelled', 'rejected', 'failed')`),
        )
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore > 0`))
        .addColumn('reserved_ore', 'bigint', (c) => c.notNull())
        .addColumn('captured_ore', 'bigint', (c) => c.notNull())
        .addColumn('refunded_ore', 'bigint', (c) => c.notNull())
        .addColumn('released_ore', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('transaction_text', 'text', (c) => c.notNull())
        .addColumn('capture_type', 'text', (c) => c.notNull())
        .addColumn('payment_type', 'text', (c) => c.notNull())
        .addColumn('landing_token', 'text', (c) => c.notNull().unique())
        .addColumn('callback_prefix', 'text', (c) => c.notNull())
        .addColumn('fall_back', 'text', (c) => c.notNull())
        .addColumn('auth_token', 'text')
        .addColumn('is_app', 'integer', (c) => c.notNull())
        .addColumn('skip_landing_page', 'integer', (c) => c.notNull())
        .addColumn('customer_mobile', 'text')
        .addColumn('scope', 'text')
        .addColumn('user_msisdn', 'text')
        .addColumn('card_bin', 'integer')
        .addColumn('merchant_info_json', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('reserved_at_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        // Invariant P1 at the engine level: 0 ≤ C, C + released ≤ R, 0 ≤ F ≤ C.
        .addCheckConstraint('payment_money_nonnegative', sql`reserved_ore >= 0 AND captured_ore >= 0 AND refunded_ore >= 0 AND released_ore >= 0`)
        .addCheckConstraint('payment_capture_within_reservation', sql`captured_ore + released_ore <= reserved_ore`)
        .addCheckConstraint('payment_refund_within_capture', sql`refunded_ore <= captured_ore`)
        .addUniqueConstraint('payment_order_per_msn', ['msn', 'order_id'])
        .execute();
      await db.schema.createIndex('payment_due_expiry').on('payment').columns(['state', 'expires_at_ms']).execute();

      await db.schema
        .createTable('payment_operation')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('payment_id', 'bigint', (c) => c.notNull().references('payment.id'))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore >= 0`))
        .addColumn('transaction_text', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('payment_operation_seq', ['payment_id', 'seq'])
        .execute();

      await db.schema
        .createTable('ledger_line')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('operation_id', 'bigint', (c) => c.notNull().references('payment_operation.id'))
        .addColumn('payment_id', 'bigint', (c) => c.notNull())
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('amount_ore', 'bigint', (c) => c.notNull().check(sql`amount_ore <> 0`))
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_line_by_payment').on('ledger_line').column('payment_id').execute();

      await db.schema
        .createTable('idempotency_key')
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('request_sha256', 'text', (c) => c.notNull())
        .addColumn('outcome_json', 'text')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_key_pk', ['msn', 'order_id', 'operation', 'request_id'])
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'bigint')
        .addColumn('order_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('headers_json', 'text', (c) => c.notNull())
        .addColumn('body_json', 'text')
        .addColumn('timeout_ms', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('pending', 'delivered', 'dead')`))
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addCheckConstraint('outbox_attempts_bounded', sql`attempts >= 0 AND attempts <= max_attempts`)
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at_ms']).execute();
      await db.schema.createIndex('outbox_by_order').on('outbox').columns(['msn', 'order_id']).execute();

      await db.schema
        .createTable('callback_attempt')
        .addColumn('id', id, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('outbox_id', 'bigint', (c) => c.notNull().references('outbox.id'))
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('attempt_no', 'integer', (c) => c.notNull())
        .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('response_excerpt', 'text')
        .addColumn('error', 'text')
        .addUniqueConstraint('callback_attempt_no', ['outbox_id', 'attempt_no'])
        .execute();

      await createInsertOnlyGuards(db, kind, ['ledger_line', 'payment_operation']);
    },
  };
}
