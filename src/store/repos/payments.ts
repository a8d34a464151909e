import { sql } from 'kysely';
import { assertNever } from '../../domain/assert.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { Executor } from '../db.ts';
import type { NewPayment, PaymentCoreRow, PaymentRow } from '../schema.ts';
import { paymentView } from '../payment-view.ts';

/** The three rows of a new payment. ON CONFLICT DO NOTHING: two concurrent initiates of one orderId make one payment. */
export async function insertPayment(db: Executor, payment: NewPayment): Promise<PaymentRow | undefined> {
  const { payment_type, callback_prefix, fall_back, auth_token, is_app, skip_landing_page, customer_mobile, merchant_info_json, landing_token, pushed_to_msisdn, shipping_options_json, ...core } =
    payment;
  const inserted = await db
    .insertInto('payment')
    .values(core)
    .onConflict((oc) => oc.columns(['msn', 'order_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) return undefined;
  const request = { payment_type, callback_prefix, fall_back, auth_token: auth_token ?? null, is_app, skip_landing_page, customer_mobile: customer_mobile ?? null, merchant_info_json };
  const session = { landing_token, pushed_to_msisdn: pushed_to_msisdn ?? null, shipping_options_json: shipping_options_json ?? null };
  await db.insertInto('ecomm_v2_request').values({ payment_id: inserted.id, msn: inserted.msn, ...request }).execute();
  await db.insertInto('payment_session').values({ payment_id: inserted.id, msn: inserted.msn, ...session }).execute();
  return { ...inserted, ...request, ...session };
}

export async function findPayment(db: Executor, msn: string, orderId: string): Promise<PaymentRow | undefined> {
  return paymentView(db).where('payment.msn', '=', msn).where('payment.order_id', '=', orderId).executeTakeFirst();
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

export interface ApprovalFacts {
  userMsisdn: string;
  cardBin: number | null;
  cardId: string | null;
  /** Express: the chosen address and shipping method. */
  shippingJson?: string | null;
  /** Express or scope: what the user shared. */
  userDetailsJson?: string | null;
  sub?: string | null;
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

/**
 * Apply one operation as a single guarded statement. The WHERE clause re-checks, atomically, the rule the
 * domain already checked on a snapshot; zero rows means a concurrent request won and the caller re-reads.
 * The arithmetic mirrors `applyEvent` in the domain, which replay (invariant P4) relies on.
 */
export async function applyGuardedOperation(
  db: Executor,
  args: { paymentId: number; kind: OperationKind; amountOre: number; nowMs: number; approval?: ApprovalFacts },
): Promise<PaymentCoreRow | undefined> {
  const { paymentId, kind, amountOre: amount, nowMs } = args;
  let query = db
    .updateTable('payment')
    .set({ version: sql`version + 1`, updated_at_ms: nowMs })
    .where('id', '=', paymentId);
  switch (kind) {
    case 'reserve':
    case 'sale': {
      const captured = kind === 'sale' ? amount : 0;
      query = query
        .set({
          state: kind === 'sale' ? 'captured' : 'reserved',
          reserved_ore: amount,
          captured_ore: captured,
          reserved_at_ms: nowMs,
          user_msisdn: args.approval?.userMsisdn ?? null,
          card_bin: args.approval?.cardBin ?? null,
          card_id: args.approval?.cardId ?? null,
          shipping_json: args.approval?.shippingJson ?? null,
          user_details_json: args.approval?.userDetailsJson ?? null,
          sub: args.approval?.sub ?? null,
        })
        .where('state', '=', 'initiated')
        .where('expires_at_ms', '>', nowMs);
      break;
    }
    case 'reserve_failed':
    case 'sale_failed':
      query = query
        .set({ state: 'failed', user_msisdn: args.approval?.userMsisdn ?? sql`user_msisdn`, card_id: args.approval?.cardId ?? null })
        .where('state', '=', 'initiated');
      break;
    case 'capture':
      query = query
        .set({
          captured_ore: sql`captured_ore + ${amount}`,
          state: sql`CASE WHEN captured_ore + ${amount} + released_ore = reserved_ore THEN 'captured' ELSE 'reserved' END`,
        })
        .where('state', '=', 'reserved')
        .where(sql<boolean>`reserved_ore - captured_ore - released_ore >= ${amount}`);
      break;
    case 'capture_failed':
      query = query.where('state', '=', 'reserved');
      break;
    case 'refund':
      query = query
        .set({ refunded_ore: sql`refunded_ore + ${amount}` })
        .where('state', 'in', ['reserved', 'captured'])
        .where(sql<boolean>`captured_ore - refunded_ore >= ${amount}`);
      break;
    case 'merchant_cancel':
    case 'user_cancel':
      query = query.set({ state: 'cancelled' }).where('state', '=', 'initiated');
      break;
    case 'timeout':
      query = query.set({ state: 'rejected' }).where('state', '=', 'initiated').where('expires_at_ms', '<=', nowMs);
      break;
    case 'void':
    case 'release':
      // Exactly the open remainder is released: a capture that slipped in first makes this match nothing.
      query = query
        .set({ state: kind === 'void' ? 'voided' : 'captured', released_ore: sql`released_ore + ${amount}` })
        .where('state', '=', 'reserved')
        .where('captured_ore', kind === 'void' ? '=' : '>', 0)
        .where(sql<boolean>`reserved_ore - captured_ore - released_ore = ${amount}`);
      break;
    case 'initiate':
      throw new Error('initiate inserts a payment; it is not an update');
    default:
      assertNever(kind, 'operation kind');
  }
  return query.returningAll().executeTakeFirst();
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
