import { InvalidRequestError, Refused } from '../../domain/refusals.ts';
import { REFUSAL_TEXT } from '../../domain/issuer.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import { findPaymentByLandingToken, listPaymentsForUser, pushToUser } from '../../store/repos/payments.ts';
import type { PaymentRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { userMessageOf } from './refusal-messages.ts';
import { EXPRESS_SCOPE } from '../express/consents.ts';
import { consentsOf } from '../express/consent-removal.ts';
import { isExpress, prepareExpress } from '../express/prepare.ts';
import { listAddresses } from '../../store/repos/addresses.ts';
import { findConsent } from '../../store/repos/consents.ts';
import { approveAsUser, lockForApproval, type ApprovalResult } from '../payments/approve.ts';
import { cancelByUser } from '../payments/user-cancel.ts';
import { inTransaction } from '../transaction.ts';
import { PHONE_FORMAT_MESSAGE, normalizePhoneNumber } from '../../shared/phone-number.ts';
import { resolveTestUser } from '../users/test-users.ts';
import { userWithCards } from '../users/sandbox-users.ts';

/**
 * The user's side of a payment: the landing page (by the token in the initiate `url`) and the simulated
 * Vipps app (by the user's phone number). Payment requests are addressed by their landing token, which only
 * the merchant's customer has.
 */
export class UnknownPaymentError extends Error {}

/** The signed-in user is not the one the request was pushed to. */
export class OtherUsersPaymentError extends Error {}

/**
 * Only the user a request was pushed to may answer it in the app (confirm, reject, pick shipping). A request pushed to
 * nobody is one the shop's page switched straight into the app on this phone (the token came with it): the user
 * signed in there answers it.
 */
function checkAnsweringUser(payment: PaymentRow, msisdn: string): void {
  if (payment.pushed_to_msisdn !== null && payment.pushed_to_msisdn !== msisdn) throw new OtherUsersPaymentError('pushed to another user');
}

async function paymentByToken(ctx: AppContext, token: string): Promise<PaymentRow> {
  const payment = await findPaymentByLandingToken(ctx.store.db, token);
  if (!payment) throw new UnknownPaymentError('unknown payment');
  return payment;
}

/** Where a finished payment's user is sent; Vipps appends nothing for the regular flow. */
function finished(payment: PaymentRow): boolean {
  return payment.state !== 'initiated';
}

export async function paymentRequestView(ctx: AppContext, payment: PaymentRow) {
  const unit = await findSalesUnit(ctx.store.db, payment.msn);
  const nowMs = ctx.clock.nowMs();
  return {
    token: payment.landing_token,
    merchantName: unit?.name ?? payment.msn,
    orderId: payment.order_id,
    amountOre: payment.amount_ore,
    transactionText: payment.transaction_text,
    mobileNumber: payment.customer_mobile,
    pushedTo: payment.pushed_to_msisdn,
    state: payment.state,
    issuerPending: payment.issuer_pending_until_ms !== null && payment.state === 'initiated',
    secondsLeft: Math.max(0, Math.round((payment.expires_at_ms - nowMs) / 1000)),
    finished: finished(payment),
    fallBack: payment.fall_back,
    createdAtMs: payment.created_at_ms,
    reservedAtMs: payment.reserved_at_ms,
    /** What was reserved: for express, the amount plus the chosen shipping. */
    reservedOre: payment.reserved_ore,
    capturedOre: payment.captured_ore,
    refundedOre: payment.refunded_ore,
    express: isExpress(payment),
    /** What the merchant asks the user to share (express: profile and address). */
    scopes: paymentRequestScopes(payment),
  };
}

/** What the merchant asks the user to share: express always asks for the profile and the address. */
function paymentRequestScopes(payment: PaymentRow): readonly string[] {
  return isExpress(payment) ? EXPRESS_SCOPE : (payment.scope ?? '').split(' ').filter(Boolean);
}

export async function landingView(ctx: AppContext, token: string) {
  return paymentRequestView(ctx, await paymentByToken(ctx, token));
}

/** Landing page "continue": the request is pushed to this user's app (User 81 when there is no such user). */
export async function pushFromLanding(ctx: AppContext, token: string, mobileNumber: string) {
  const payment = await paymentByToken(ctx, token);
  if (finished(payment)) return paymentRequestView(ctx, payment);
  const msisdn = normalizePhoneNumber(mobileNumber);
  if (msisdn === null) throw new InvalidRequestError('mobileNumber', PHONE_FORMAT_MESSAGE);
  await inTransaction(ctx, async (tx) => {
    const user = await resolveTestUser(tx, msisdn);
    if (!user.can_pay_businesses) throw new Refused('not_a_vipps_user');
    await pushToUser(tx.trx, payment.id, msisdn, tx.nowMs);
  });
  return paymentRequestView(ctx, await paymentByToken(ctx, token));
}

/** Sign in to the simulated app: the user, their cards, pending requests and history. */
export async function appHome(ctx: AppContext, msisdn: string) {
  // Signing in made sure the user exists (in the sandbox it provisions a new number).
  const user = await userWithCards(ctx, msisdn);
  if (!user) throw new Refused('not_a_vipps_user');
  const profile = { ...user, consents: await consentsOf(ctx, msisdn) };
  const payments = await listPaymentsForUser(ctx.store.db, msisdn, 50);
  const views = await Promise.all(payments.map((p) => paymentRequestView(ctx, p)));
  return {
    user: profile,
    pending: views.filter((v) => v.state === 'initiated' && !v.issuerPending && v.secondsLeft > 0 && v.pushedTo === msisdn),
    history: views.filter((v) => v.state !== 'initiated' || v.issuerPending),
  };
}

/**
 * Does this user already share what the payment asks for with its merchant? The real app remembers the companies a
 * user shared with (Profile → "Companies that remember you") and does not ask again until the user removes them.
 */
export async function rememberedConsent(ctx: AppContext, token: string, msisdn: string): Promise<{ remembered: boolean }> {
  const payment = await paymentByToken(ctx, token);
  const asked = paymentRequestScopes(payment);
  if (asked.length === 0) return { remembered: false };
  const consent = await findConsent(ctx.store.db, msisdn, payment.msn);
  const shared = consent && consent.removed_at_ms === null ? consent.scope.split(' ') : [];
  return { remembered: asked.every((scope) => shared.includes(scope)) };
}

/** Express: the user's addresses and the shipping methods for the chosen one (this may call the merchant). */
export async function expressOptions(ctx: AppContext, token: string, msisdn: string, addressId: number | null) {
  const payment = await paymentByToken(ctx, token);
  checkAnsweringUser(payment, msisdn);
  if (!isExpress(payment)) throw new InvalidRequestError('token', 'This is not an express payment');
  if (finished(payment)) {
    return { ok: false as const, reason: 'The payment is no longer waiting for you', detail: `payment is ${payment.state}`, addresses: [], redirect: payment.fall_back };
  }
  const prepared = await prepareExpress(ctx, payment, msisdn, addressId);
  const addresses = (await listAddresses(ctx.store.db, msisdn)).map((a) => ({
    id: a.id,
    addressLine1: a.address_line1,
    addressLine2: a.address_line2,
    postCode: a.post_code,
    city: a.city,
    addressType: a.address_type,
    isDefault: a.is_default === 1,
  }));
  if (!prepared.ok) {
    return { ok: false as const, reason: 'No shipping methods found. The payment failed.', detail: prepared.reason, addresses, redirect: payment.fall_back };
  }
  return {
    ok: true as const,
    addressId: prepared.addressId,
    addresses,
    defaultMethodId: prepared.defaultMethodId,
    methods: prepared.methods.map((m) => ({ ...m, shippingCostNok: m.shippingCostOre / 100 })),
  };
}

export type AppConfirmation =
  | { result: 'approved'; kind: 'reserve' | 'sale'; redirect: string }
  | { result: 'refused'; message: string; redirect: string }
  | { result: 'challenge'; challenge: 'bankid' | 'sca' }
  | { result: 'pending'; message: string; redirect: string }
  | { result: 'error'; message: string };

function confirmationOf(result: ApprovalResult, fallBack: string): AppConfirmation {
  switch (result.status) {
    case 'approved':
      return { result: 'approved', kind: result.kind, redirect: fallBack };
    case 'refused':
      return { result: 'refused', message: REFUSAL_TEXT[result.refusal], redirect: fallBack };
    case 'challenge':
      return { result: 'challenge', challenge: result.challenge };
    case 'pending':
      return { result: 'pending', message: 'Your bank has not answered yet. You will be notified.', redirect: fallBack };
  }
}

/** The user confirms in the app with the chosen card, after any BankID or SCA challenge they passed. */
export async function confirmInApp(
  ctx: AppContext,
  args: {
    token: string;
    msisdn: string;
    cardId?: string | null;
    passedBankId?: boolean;
    passedSca?: boolean;
    shippingMethodId?: string | null;
  },
): Promise<AppConfirmation> {
  const payment = await paymentByToken(ctx, args.token);
  checkAnsweringUser(payment, args.msisdn);
  try {
    const result = await inTransaction(ctx, async (tx) =>
      approveAsUser(tx, await lockForApproval(tx, { msn: payment.msn, orderId: payment.order_id }, args.msisdn), {
        msisdn: args.msisdn,
        cardId: args.cardId ?? null,
        passedBankId: args.passedBankId === true,
        passedSca: args.passedSca === true,
        shippingMethodId: args.shippingMethodId ?? null,
        interactive: true,
      }),
    );
    return confirmationOf(result, payment.fall_back);
  } catch (error) {
    // Decide first, then write: a refusal here rolled back everything (no consent granted, no user changed).
    if (!(error instanceof Refused)) throw error;
    return { result: 'error', message: userMessageOf(error.reason) };
  }
}

/**
 * The user rejects the request: CANCEL and the CANCELLED callback. On the landing page the token is the shopper's
 * (as on the real landing page, whoever has the link may cancel); in the app, `msisdn` is the signed-in user.
 */
export async function rejectAsUser(ctx: AppContext, token: string, msisdn: string | null) {
  const payment = await paymentByToken(ctx, token);
  if (msisdn !== null) checkAnsweringUser(payment, msisdn);
  await cancelByUser(ctx, payment.msn, payment.order_id);
  return { redirect: payment.fall_back };
}
