import type { Kysely, Transaction } from 'kysely';
import { prepared } from './prepared.ts';
import type { Database, PaymentRow } from './schema.ts';

// Kysely's own types, not db.ts's aliases: dialect.ts reads payments through this view, and db.ts imports dialect.ts.
const REQUEST_COLUMNS = [
  'ecomm_v2_request.payment_type',
  'ecomm_v2_request.callback_prefix',
  'ecomm_v2_request.fall_back',
  'ecomm_v2_request.auth_token',
  'ecomm_v2_request.is_app',
  'ecomm_v2_request.skip_landing_page',
  'ecomm_v2_request.customer_mobile',
  'ecomm_v2_request.merchant_info_json',
] as const;
const SESSION_COLUMNS = ['payment_session.landing_token', 'payment_session.pushed_to_msisdn', 'payment_session.shipping_options_json'] as const;

/** The core payment with its ecomm v2 request and its user session: one row per payment, joined by id. */
export function paymentView(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('payment')
    .innerJoin('ecomm_v2_request', 'ecomm_v2_request.payment_id', 'payment.id')
    .innerJoin('payment_session', 'payment_session.payment_id', 'payment.id')
    .selectAll('payment')
    .select([...REQUEST_COLUMNS, ...SESSION_COLUMNS]);
}

export type ByOrder = { msn: string; orderId: string };
export const byOrder = (db: Kysely<Database>, p: ByOrder) => paymentView(db).where('payment.msn', '=', p.msn).where('payment.order_id', '=', p.orderId);

/** The merchant's payment by orderId: the hottest read of all, prepared once. */
export const paymentByOrder = prepared<ByOrder, PaymentRow>(byOrder);
