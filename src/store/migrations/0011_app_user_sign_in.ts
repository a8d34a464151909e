import type { Kysely, Migration } from 'kysely';

/**
 * The simulated app's sign-in: a user's PIN (scrypt hash) with its failed-attempt count and lockout, and the app's
 * sessions (the cookie's token is stored as its SHA-256 only, with the CSRF token bound to the session).
 */
export function appUserSignIn(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('app_user_pin')
        .addColumn('msisdn', 'text', (c) => c.primaryKey())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until_ms', 'bigint')
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('app_session')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('msisdn', 'text', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('app_session_by_expiry').on('app_session').column('expires_at_ms').execute();
    },
  };
}
