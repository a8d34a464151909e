import { osloDateOf } from '../../domain/bank-calendar.ts';
import { InvalidRequestError, Refused } from '../../domain/refusals.ts';
import { REFUSAL_ERROR, decideReservation, type IssuerRefusal } from '../../domain/issuer.ts';
import { decideApproval } from '../../domain/payment.ts';
import { assert } from '../../domain/assert.ts';
import type { Trx } from '../../store/db.ts';
import { findCard, lockPaymentAndFindUser, type CardWithHoldDays, type UserWithDefaultCard } from '../../store/repos/banks.ts';
import { markIssuerPending } from '../../store/repos/payments.ts';
import { setBankIdVerified } from '../../store/repos/users.ts';
import type { PaymentRow, TestUserRow } from '../../store/schema.ts';
import { failedApproval, holdFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import type { Tx } from '../context.ts';
import { resolveTestUserWithDefaultCard } from '../users/test-users.ts';
import { adoptLocked, factsOf } from './load.ts';
import { EXPRESS_SCOPE, grantConsent } from '../express/consents.ts';
import { isExpress, prepareExpress } from '../express/prepare.ts';
import { defaultMethod, type ShippingMethod } from '../express/shipping.ts';
import { listAddresses } from '../../store/repos/addresses.ts';
import { decideAndRecord } from './record-operation.ts';

/** App versions below this are too old to pay (User 82). */
export const MIN_APP_VERSION = [3, 0, 0];

function appVersionSupported(version: string): boolean {
  const parts = version.split('.').map((n) => Number(n) || 0);
  for (let i = 0; i < MIN_APP_VERSION.length; i++) {
    const have = parts[i] ?? 0;
    const need = MIN_APP_VERSION[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

export interface ApprovalAttempt {
  msisdn: string;
  /** The card the user picked; default: their default card. */
  cardId?: string | null;
  /** The user passed BankID in this attempt (app only). */
  passedBankId?: boolean;
  /** The user passed the issuer's SCA / 3-D Secure challenge in this attempt (app only). */
  passedSca?: boolean;
  /** A person is present to answer challenges (the app); force approve is not. */
  interactive: boolean;
  /** Express: the shipping method picked from those offered (null: the default, else the first). */
  shippingMethodId?: string | null;
}

interface ExpressChoice {
  shippingOre: number;
  shippingJson: string;
}

/**
 * Express: the offered methods were stored on the payment by prepareExpress (the merchant call happens
 * outside the transaction); the user may only pick one of those, for the address they were offered for.
 */
async function expressChoice(trx: Trx, payment: PaymentRow, user: TestUserRow, shippingMethodId: string | null | undefined): Promise<ExpressChoice | null> {
  if (!isExpress(payment)) return null;
  if (payment.shipping_options_json === null) throw new InvalidRequestError('shippingMethodId', 'Choose an address first: no shipping methods have been offered yet');
  const offered = JSON.parse(payment.shipping_options_json) as { addressId: number; methods: ShippingMethod[] };
  const method = shippingMethodId ? offered.methods.find((m) => m.shippingMethodId === shippingMethodId) : defaultMethod(offered.methods);
  if (!method) throw new InvalidRequestError('shippingMethodId', 'That shipping method was not offered');
  const address = (await listAddresses(trx, user.msisdn)).find((a) => a.id === offered.addressId);
  if (!address) throw new InvalidRequestError('addressId', "The address is not one of the user's");
  return {
    shippingOre: method.shippingCostOre,
    shippingJson: JSON.stringify({
      address: { addressLine1: address.address_line1, addressLine2: address.address_line2, city: address.city, country: address.country, postCode: address.post_code },
      shippingCostOre: method.shippingCostOre,
      shippingMethod: method.shippingMethod,
      shippingMethodId: method.shippingMethodId,
    }),
  };
}

/** Express shares the profile; a regular payment shares what its `scope` asked for. */
function sharedScopes(payment: PaymentRow): string[] {
  if (isExpress(payment)) return EXPRESS_SCOPE;
  return (payment.scope ?? '').split(' ').filter(Boolean);
}

/** A payment locked for an approval, with the approving user as read beside it (undefined: not a user yet). */
export interface LockedForApproval {
  payment: PaymentRow;
  msisdn: string;
  known: UserWithDefaultCard | undefined;
}

/** The payment locked and the approving user read: an approval needs both, and neither read waits for the other. */
export async function lockForApproval(tx: Tx, order: { msn: string; orderId: string }, msisdn: string): Promise<LockedForApproval> {
  const { locked, user } = await lockPaymentAndFindUser(tx.trx, tx.kind, order, msisdn);
  return { payment: adoptLocked(tx, locked, order.msn, order.orderId), msisdn, known: user };
}

export type ApprovalResult =
  | { status: 'approved'; kind: 'reserve' | 'sale' }
  | { status: 'refused'; refusal: IssuerRefusal }
  | { status: 'challenge'; challenge: 'bankid' | 'sca' }
  | { status: 'pending'; untilMs: number };

async function chosenCard(trx: Trx, user: TestUserRow, cardId: string | null | undefined, defaultCard: CardWithHoldDays | undefined): Promise<CardWithHoldDays | null> {
  if (cardId) {
    const card = await findCard(trx, cardId);
    if (!card || card.msisdn !== user.msisdn) throw new InvalidRequestError('cardId', 'That card does not belong to this user');
    return card;
  }
  return defaultCard ?? null;
}

/**
 * The user behind `msisdn` approves. The issuer decides (card, funds, limits, test amounts); a refusal is
 * written as RESERVE/SALE with operationSuccess false and a RESERVE_FAILED/SALE_FAILED callback; an approval
 * holds the funds and reserves (or captures at once on direct-capture sales units).
 * Shared by force approve and the simulated app. `approving` is the payment this transaction locked, with the user read
 * beside it (lockForApproval).
 */
export async function approveAsUser(tx: Tx, approving: LockedForApproval, attempt: ApprovalAttempt): Promise<ApprovalResult> {
  const { trx, nowMs } = tx;
  const { payment } = approving;
  assert(approving.msisdn === attempt.msisdn, 'the user read with the payment is the one approving');
  const { user, defaultCard } = await resolveTestUserWithDefaultCard(tx, attempt.msisdn, approving.known);
  if (!user.can_pay_businesses) throw new Refused('not_a_vipps_user');
  if (!appVersionSupported(user.app_version)) throw new Refused('app_version_not_supported');
  if (payment.state === 'initiated' && payment.issuer_pending_until_ms !== null) throw new Refused('already_processed');
  const passedBankId = attempt.passedBankId === true;
  if (!user.bankid_verified) {
    if (!attempt.interactive) throw new Refused('user_not_bankid_verified');
    if (!passedBankId) return { status: 'challenge', challenge: 'bankid' };
    await setBankIdVerified(trx, user.msisdn);
  }
  const card = await chosenCard(trx, user, attempt.cardId, defaultCard);
  const express = await expressChoice(trx, payment, user, attempt.shippingMethodId);
  const shippingOre = express?.shippingOre ?? 0;
  const decision = decideReservation({
    amountOre: payment.amount_ore + shippingOre,
    card: card && { state: card.state, expiryMonth: card.expiry_month, availableOre: card.available_ore, maxAmountOre: card.max_amount_ore },
    today: osloDateOf(nowMs),
    nowMs,
    stepUpLimitOre: user.step_up_limit_ore,
    passedBankId,
    passedSca: attempt.passedSca === true,
    interactive: attempt.interactive,
  });
  if (decision.outcome === 'challenge') {
    // Force approve cannot pass BankID step-up: the real endpoint refuses such users.
    if (!attempt.interactive) throw new Refused('user_not_bankid_verified');
    return { status: 'challenge', challenge: decision.challenge };
  }
  const scopes = sharedScopes(payment);
  // What the user shares is written with the approval, and only with an approval.
  const shared =
    decision.outcome === 'approve' && scopes.length > 0
      ? {
          shippingJson: express?.shippingJson ?? null,
          userDetailsJson: JSON.stringify({
            firstName: user.first_name,
            lastName: user.last_name,
            email: user.email,
            mobileNumber: user.msisdn,
            userId: user.user_id,
          }),
          sub: await grantConsent(trx, user, payment, scopes, nowMs),
        }
      : {};
  const approvalFacts = { userMsisdn: user.msisdn, cardBin: card?.bin ?? null, cardId: card?.id ?? null, ...shared };
  const base = {
    msn: payment.msn,
    orderId: payment.order_id,
    requestId: '',
    transactionText: (p: PaymentRow) => p.transaction_text,
    approval: approvalFacts,
    locked: payment,
  };
  const approval = (facts: Parameters<typeof decideApproval>[0], now: number) => decideApproval(facts, payment.capture_type, now, shippingOre);
  if (decision.outcome === 'unknown') {
    const approvable = approval(factsOf(payment), nowMs);
    if (!approvable.ok) throw new Refused(approvable.error);
    if (!(await markIssuerPending(trx, payment.id, decision.untilMs, user.msisdn, nowMs))) throw new Refused('already_processed');
    return { status: 'pending', untilMs: decision.untilMs };
  }
  if (decision.outcome === 'refuse') {
    const refusal = decision.refusal;
    await decideAndRecord(tx, {
      ...base,
      decide: (facts, now) => {
        const approved = approval(facts, now);
        return approved.ok ? { ok: true, ...failedApproval(approved, REFUSAL_ERROR[refusal]) } : approved;
      },
    });
    return { status: 'refused', refusal };
  }
  const { operation } = await decideAndRecord(tx, { ...base, decide: approval, bank: holdFunds(card!) });
  return { status: 'approved', kind: operation.kind === 'sale' ? 'sale' : 'reserve' };
}

export interface ForceApproveCommand {
  msn: string;
  orderId: string;
  customerPhoneNumber: string;
  token: string;
  requestId: string | null;
}

/**
 * `POST /ecomm/v2/integration-test/payments/{orderId}/approve`: approve as the given test user would in the
 * app, with nobody there to pass a challenge. The user must be BankID verified (Payment 1082); the token is the
 * one in the initiate `url`. Unlike the real test environment, the test amounts apply here too.
 */
export async function forceApprove(ctx: AppContext, cmd: ForceApproveCommand): Promise<void> {
  // Only in the test environment: in production it is refused before anything is read or written.
  if (ctx.config.mode !== 'sandbox') throw new Refused('force_approve_not_available');
  try {
    await forceApproveOnce(ctx, cmd, false);
  } catch (error) {
    if (!(error instanceof ExpressNotPrepared)) throw error;
    // Express (which the real test environment cannot force-approve): the default address and the default or
    // first shipping method, asked of the merchant outside any transaction, then the approval as usual.
    const prepared = await prepareExpress(ctx, error.payment, cmd.customerPhoneNumber, null);
    if (!prepared.ok) throw new Refused('user_did_not_act', { detail: `Reservation failed: shipping details could not be fetched (${prepared.reason}).` });
    await forceApproveOnce(ctx, cmd, true);
  }
}

/** Thrown (and so rolled back) when an express payment needs the merchant's shipping methods before it can be approved. */
class ExpressNotPrepared extends Error {
  constructor(readonly payment: PaymentRow) {
    super('express payment needs shipping methods first');
  }
}

async function forceApproveOnce(ctx: AppContext, cmd: ForceApproveCommand, expressPrepared: boolean): Promise<void> {
  await inTransaction(ctx, (tx) =>
    withIdempotency(
      tx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'approve', requestId: cmd.requestId },
        request: { customerPhoneNumber: cmd.customerPhoneNumber, token: cmd.token },
      },
      async () => {
        const approving = await lockForApproval(tx, cmd, cmd.customerPhoneNumber);
        const { payment } = approving;
        if (payment.landing_token !== cmd.token) {
          throw new InvalidRequestError('token', 'The token does not belong to this orderId; use the token from the initiate url');
        }
        if (!expressPrepared && isExpress(payment) && payment.state === 'initiated') throw new ExpressNotPrepared(payment);
        const result = await approveAsUser(tx, approving, { msisdn: cmd.customerPhoneNumber, interactive: false });
        // The failed RESERVE is in the log and its callback queued: the refusal commits with them.
        if (result.status === 'refused') throw new Refused(REFUSAL_ERROR[result.refusal], { recorded: true });
        return {};
      },
    ),
  );
}
