import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { prefixedColumns, splitPrefixed } from './prefixed-columns.ts';
import { prepared } from './prepared.ts';
import { SALES_UNIT_COLUMNS, type Database, type PaymentRow, type SalesUnitRow } from './schema.ts';

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
  return withRequestAndSession(db.selectFrom('payment'));
}

function withRequestAndSession<O>(payments: SelectQueryBuilder<Database, 'payment', O>) {
  return payments
    .innerJoin('ecomm_v2_request', 'ecomm_v2_request.payment_id', 'payment.id')
    .innerJoin('payment_session', 'payment_session.payment_id', 'payment.id')
    .selectAll('payment')
    .select([...REQUEST_COLUMNS, ...SESSION_COLUMNS]);
}

export type ByOrder = { msn: string; orderId: string };

/** The merchant's payment by orderId, before any column is chosen: the view's and the core row's reads both start here. */
export const paymentOfOrder = (db: Kysely<Database>, p: ByOrder) => db.selectFrom('payment').where('payment.msn', '=', p.msn).where('payment.order_id', '=', p.orderId);

export const byOrder = (db: Kysely<Database>, p: ByOrder) => withRequestAndSession(paymentOfOrder(db, p));

/** The merchant's payment by orderId: the hottest read of all, prepared once. */
export const paymentByOrder = prepared<ByOrder, PaymentRow>(byOrder);

const UNIT_PREFIX = 'unit__';

/**
 * The payment by orderId with its sales unit in the same row (unit columns prefixed): what an operation's listeners
 * need of the unit (fee terms, callback attempts) comes with the read that locks the payment instead of a read each.
 * PostgreSQL locks only the payment's row (`FOR UPDATE OF payment`): payments of one unit do not take turns.
 */
export const byOrderWithUnit = (db: Kysely<Database>, p: ByOrder) =>
  byOrder(db, p)
    .innerJoin('sales_unit', 'sales_unit.msn', 'payment.msn')
    .select(prefixedColumns('sales_unit', SALES_UNIT_COLUMNS, UNIT_PREFIX));

/** A row of byOrderWithUnit taken apart. */
export function paymentAndUnitOf(row: Record<string, unknown>): { payment: PaymentRow; unit: SalesUnitRow } {
  const [payment, unit] = splitPrefixed<PaymentRow, SalesUnitRow>(row, UNIT_PREFIX);
  return { payment, unit };
}
