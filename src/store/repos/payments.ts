import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import { compiledObject, valueOrNull } from '../compiled-object.ts';
import { fields, preparedWrite } from '../prepared.ts';
import { insertPaymentWithRequestSessionAndOperation, type DialectKind } from '../dialect.ts';
import { appendOperation } from './operations.ts';
import {
  PAYMENT_COLUMNS,
  PAYMENT_ROW_KEYS,
  REQUEST_VALUE_COLUMNS,
  SESSION_VALUE_COLUMNS,
  type NewOperation,
  type NewPayment,
  type PaymentRow,
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
const insertRequest = preparedWrite<PaymentRow>((db, p) =>
  db.insertInto('ecomm_v2_request').values({ payment_id: p.id, msn: p.msn, ...fields(p, REQUEST_VALUE_COLUMNS) }),
);
const insertSession = preparedWrite<PaymentRow>((db, p) =>
  db.insertInto('payment_session').values({ payment_id: p.id, msn: p.msn, ...fields(p, SESSION_VALUE_COLUMNS) }),
);

// Columns the caller left out are NULL, as an INSERT naming only the given columns would make them.
const paymentCoreOf = compiledObject<[NewPayment]>(['payment'], PAYMENT_COLUMNS, valueOrNull('payment')) as (payment: NewPayment) => NewPaymentCore;
/** The new payment as it reads back (PaymentRow), made in one step (compiled-object.ts). */
const paymentRowOf = compiledObject<[number, NewPayment]>(['id', 'payment'], PAYMENT_ROW_KEYS, (column) =>
  column === 'id' ? 'id' : valueOrNull('payment')(column),
) as (id: number, payment: NewPayment) => PaymentRow;

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
  if (kind === 'postgres') {
    const inserted = await insertPaymentWithRequestSessionAndOperation.first(db, { ...paymentRowOf(0, payment), ...prefixedOperation(operation) });
    return inserted && paymentRowOf(inserted.id, payment);
  }
  // SQLite: no RETURNING (prepared.ts, insertedRowId); the rows are made from what was inserted.
  const id = await insertPaymentCore.insertedRowId(db, paymentCoreOf(payment));
  if (id === undefined) return undefined;
  const row = paymentRowOf(id, payment);
  await insertRequest.run(db, row);
  await insertSession.run(db, row);
  await appendOperation(db, { ...operation, payment_id: id, msn: row.msn });
  return row;
}

function prefixedOperation(operation: Omit<NewOperation, 'payment_id' | 'msn'>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(operation).map(([column, value]) => [`op_${column}`, value]));
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
