import { sql, type Kysely, type Migration } from 'kysely';
import { dropPaymentRequestAndSessionColumns, type DialectKind } from '../dialect.ts';

/** What moved out of `payment`: the ecomm v2 request, and the user's session with the payment request. */
export const ECOMM_V2_REQUEST_COLUMNS = [
  'payment_type',
  'callback_prefix',
  'fall_back',
  'auth_token',
  'is_app',
  'skip_landing_page',
  'customer_mobile',
  'merchant_info_json',
] as const;
export const PAYMENT_SESSION_COLUMNS = ['landing_token', 'pushed_to_msisdn', 'shipping_options_json'] as const;

/**
 * The payment table held three things: the core payment (money and state), the ecomm v2 request that created it (where
 * to call back and return, the merchant's extras), and the user's session (the landing token, whom the request was
 * pushed to, the express shipping methods on offer). Each gets its own table keyed by the payment, so a second API can
 * bring its own request table and the core knows neither.
 */
export function paymentSplit(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      await createEcommV2RequestTable(db, 'ecomm_v2_request', 'bigint');
      await createPaymentSessionTable(db, 'payment_session', 'bigint');
      await sql`INSERT INTO ecomm_v2_request (payment_id, msn, ${sql.join(ECOMM_V2_REQUEST_COLUMNS.map((c) => sql.ref(c)))})
        SELECT id, msn, ${sql.join(ECOMM_V2_REQUEST_COLUMNS.map((c) => sql.ref(c)))} FROM payment`.execute(db);
      await sql`INSERT INTO payment_session (payment_id, msn, ${sql.join(PAYMENT_SESSION_COLUMNS.map((c) => sql.ref(c)))})
        SELECT id, msn, ${sql.join(PAYMENT_SESSION_COLUMNS.map((c) => sql.ref(c)))} FROM payment`.execute(db);
      await dropPaymentRequestAndSessionColumns(db, kind, [...ECOMM_V2_REQUEST_COLUMNS, ...PAYMENT_SESSION_COLUMNS]);
      await db.schema.createIndex('payment_session_by_token').unique().on('payment_session').column('landing_token').execute();
      await db.schema.createIndex('payment_session_by_pushed_user').on('payment_session').column('pushed_to_msisdn').execute();
    },
  };
}

/** The payment key's column type: `bigint` as 0008 made it; SQLite's rowid alias is `integer` (0015). */
type PaymentKeyType = 'bigint' | 'integer';

export async function createEcommV2RequestTable(db: Kysely<any>, name: string, keyType: PaymentKeyType): Promise<void> {
  await db.schema
    .createTable(name)
    .addColumn('payment_id', keyType, (c) => c.primaryKey().references('payment.id'))
    .addColumn('msn', 'text', (c) => c.notNull())
    .addColumn('payment_type', 'text', (c) => c.notNull())
    .addColumn('callback_prefix', 'text', (c) => c.notNull())
    .addColumn('fall_back', 'text', (c) => c.notNull())
    .addColumn('auth_token', 'text')
    .addColumn('is_app', 'integer', (c) => c.notNull())
    .addColumn('skip_landing_page', 'integer', (c) => c.notNull())
    .addColumn('customer_mobile', 'text')
    .addColumn('merchant_info_json', 'text', (c) => c.notNull())
    .execute();
}

export async function createPaymentSessionTable(db: Kysely<any>, name: string, keyType: PaymentKeyType): Promise<void> {
  await db.schema
    .createTable(name)
    .addColumn('payment_id', keyType, (c) => c.primaryKey().references('payment.id'))
    .addColumn('msn', 'text', (c) => c.notNull())
    .addColumn('landing_token', 'text', (c) => c.notNull())
    .addColumn('pushed_to_msisdn', 'text')
    .addColumn('shipping_options_json', 'text')
    .execute();
}
