import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * People who log in to Kasse's web front ends: a merchant's portal users (merchant_id set, role admin, developer or
 * accountant) and, later, the operator console's users; one table for both, told apart by `kind`. Their sessions
 * live in the database (so every node accepts them and logging out ends them everywhere), keyed by the SHA-256 of
 * the cookie's token, never the token itself. Also the indexes that keep the portal's transaction search fast
 * with millions of payments (keyset pages ordered by created_at_ms, id within a sales unit).
 */
export function portalWebAccounts(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('web_account')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('merchant', 'operator')`))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text', (c) => c.references('merchant.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until_ms', 'bigint')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('web_account_email_per_kind', ['kind', 'email'])
        .execute();
      await db.schema.createIndex('web_account_by_merchant').on('web_account').column('merchant_id').execute();

      await db.schema
        .createTable('web_session')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('web_account.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('ended_at_ms', 'bigint')
        .execute();
      await db.schema.createIndex('web_session_by_account').on('web_session').column('account_id').execute();

      await db.schema.createIndex('payment_portal_recent').on('payment').columns(['msn', 'created_at_ms', 'id']).execute();
      await db.schema.createIndex('payment_portal_by_state').on('payment').columns(['msn', 'state', 'created_at_ms', 'id']).execute();
      await db.schema.createIndex('payment_operation_portal_days').on('payment_operation').columns(['msn', 'created_at_ms']).execute();
    },
  };
}
