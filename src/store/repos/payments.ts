import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db.ts';
import { fields, prepared, preparedWrite } from '../prepared.ts';
import { insertPaymentWithRequestSessionAndOperation, type DialectKind } from '../dialect.ts';
import { appendOperation } from './operations.ts';
import {
  PAYMENT_COLUMNS,
  REQUEST_COLUMNS,
  SESSION_COLUMNS,
  type EcommV2RequestTable,
  type NewOperation,
  type NewPayment,
  type PaymentCoreRow,
  type PaymentRow,
  type PaymentSessionTable,
  type PaymentTable,
} from '../schema.ts';
import { paymentByOrder, paymentView } from '../payment-view.ts';

type NewPaymentCore = Required<Omit<Insertable<PaymentTable>, 'id'>>;
const insertPaymentCore = preparedWrite<NewPaymentCore>((db, p) =>
  db
    .insertInto('payment')
    .values(fields(p, PAYMENT_COLUMNS))
    .onConflict((oc) => oc.columns(['msn', 'order_id']).doNothing()),
);
const insertRequest = prepared<Selectable<EcommV2RequestTable>, never>((db, p) => db.insertInto('ecomm_v2_request').values(fields(p, REQUEST_COLUMNS)));
const insertSession = prepared<Selectable<PaymentSessionTable>, never>((db, p) => db.insertInto('payment_session').values(fields(p, SESSION_COLUMNS)));

/**
 * The three rows of a new payment and its first operation (on PostgreSQL one statement, dialect.ts, atomic without a
 * transaction: Store.atomicWrite). ON CONFLICT DO NOTHING: two concurrent initiates of one orderId make one payment
 * and one operation; the loser gets undefined and writes nothing.
 */
export async function insertPayment(
  db: Executor,
  kind: DialectKind,
  payment: NewPayment,
  operation: Omit<NewOperation, 'payment_id' | 'msn'>,
): Promise<PaymentRow | undefined> {
  // Columns the caller left out are NULL, as an INSERT naming only the given columns would make them.
  const core: Record<string, unknown> = {};
  for (const column of PAYMENT_COLUMNS) core[column] = payment[column] ?? null;
  const request = {
    payment_type: payment.payment_type,
    callback_prefix: payment.callback_prefix,
    fall_back: payment.fall_back,
    auth_token: payment.auth_token ?? null,
    is_app: payment.is_app,
    skip_landing_page: payment.skip_landing_page,
    customer_mobile: payment.customer_mobile ?? null,
    merchant_info_json: payment.merchant_info_json,
  };
  const session = { landing_token: payment.landing_token, pushed_to_msisdn: payment.pushed_to_msisdn ?? null, shipping_options_json: payment.shipping_options_json ?? null };
  const inserted =
    kind === 'postgres'
      ? await insertPaymentWithRequestSessionAndOperation.first(db, { ...core, ...request, ...session, ...prefixedOperation(operation) })
      : await insertedCore(db, core);
  if (!inserted) return undefined;
  if (kind === 'sqlite') {
    await insertRequest.affected(db, { payment_id: inserted.id, msn: inserted.msn, ...request });
    await insertSession.affected(db, { payment_id: inserted.id, msn: inserted.msn, ...session });
    await appendOperation(db, { ...operation, payment_id: inserted.id, msn: inserted.msn });
  }
  return { ...inserted, ...request, ...session };
}

function prefixedOperation(operation: Omit<NewOperation, 'payment_id' | 'msn'>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(operation).map(([column, value]) => [`op_${column}`, value]));
}

/** SQLite: the core row as inserted, with the id SQLite gave it (no RETURNING: prepared.ts, insertedRowId). */
async function insertedCore(db: Executor, core: Record<string, unknown>): Promise<PaymentCoreRow | undefined> {
  const id = await insertPaymentCore.insertedRowId(db, core as NewPaymentCore);
  return id === undefined ? undefined : ({ id, ...core } as PaymentCoreRow);
}

export async function findPayment(db: Executor, msn: string, orderId: string): Promise<PaymentRow | undefined> {
  return paymentByOrder.first(db, { msn, orderId });
}

export async function findPaymentByLandingToken(db: Executor, token: string): Promise<PaymentRow | undefined> {
  return paymentView(db).where('payment_session.landing_token', '=', token).executeTakeFirst();
}

export async function findPaymentsDueForTimeout(db: Executor, nowMs: number, limit: number): Promise<PaymentRow[]> {
  return paymentView(db)
    .where('payment.state', '=', 'initiated')
    .where('payment.expires_at_ms', '<=', nowMs)
    .orderBy('payment.expires_at_ms')
    .limit(limit)
    .execute();
}

/** The issuer did not answer (test amount 2.01): the payment waits, unresolved, until `untilMs`. */
export async function markIssuerPending(db: Executor, paymentId: number, untilMs: number, userMsisdn: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('payment')
    .set({ issuer_pending_until_ms: untilMs, expires_at_ms: untilMs, user_msisdn: userMsisdn, updated_at_ms: nowMs })
    .where('id', '=', paymentId)
    .where('state', '=', 'initiated')
    .where('issuer_pending_until_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The landing page (or skipLandingPage) sends the payment request to this user's app. */
export async function pushToUser(db: Executor, paymentId: number, msisdn: string, nowMs: number): Promise<void> {
  await db
    .updateTable('payment_session')
    .set({ pushed_to_msisdn: msisdn })
    .where('payment_id', '=', paymentId)
    .where((eb) => eb.exists(eb.selectFrom('payment').select('id').where('id', '=', paymentId).where('state', '=', 'initiated')))
    .execute();
}

export async function listPaymentsForUser(db: Executor, msisdn: string, limit: number): Promise<PaymentRow[]> {
  return paymentView(db)
    .where((eb) => eb.or([eb('payment_session.pushed_to_msisdn', '=', msisdn), eb('payment.user_msisdn', '=', msisdn)]))
    .orderBy('payment.created_at_ms', 'desc')
    .limit(limit)
    .execute();
}

/** Express: the shipping methods offered to the user, while the payment still waits for them. */
export async function storeShippingOptions(db: Executor, paymentId: number, optionsJson: string, nowMs: number): Promise<void> {
  await db
    .updateTable('payment_session')
    .set({ shipping_options_json: optionsJson })
    .where('payment_id', '=', paymentId)
    .where((eb) => eb.exists(eb.selectFrom('payment').select('id').where('id', '=', paymentId).where('state', '=', 'initiated')))
    .execute();
  await db.updateTable('payment').set({ updated_at_ms: nowMs }).where('id', '=', paymentId).where('state', '=', 'initiated').execute();
}
