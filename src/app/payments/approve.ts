import { osloDateOf } from '../../domain/bank-calendar.ts';
import { InvalidRequestError, VippsError } from '../../domain/errors.ts';
import { REFUSAL_ERROR, decideReservation, type IssuerRefusal } from '../../domain/issuer.ts';
import { decideApproval } from '../../domain/payment.ts';
import type { Trx } from '../../store/db.ts';
import { findCard, listCards } from '../../store/repos/banks.ts';
import { markIssuerPending } from '../../store/repos/payments.ts';
import { setBankIdVerified } from '../../store/repos/users.ts';
import type { CardRow, PaymentRow, TestUserRow } from '../../store/schema.ts';
import { failedApproval, holdFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { unwrap, withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { resolveTestUser } from '../users/test-users.ts';
import { factsOf, loadPayment } from './load.ts';
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
}

export type ApprovalResult =
  | { status: 'approved'; kind: 'reserve' | 'sale' }
  | { status: 'refused'; refusal: IssuerRefusal }
  | { status: 'challenge'; challenge: 'bankid' | 'sca' }
  | { status: 'pending'; untilMs: number };

async function chosenCard(trx: Trx, user: TestUserRow, cardId: string | null | undefined): Promise<CardRow | null> {
  if (cardId) {
    const card = await findCard(trx, cardId);
    if (!card || card.msisdn !== user.msisdn) throw new InvalidRequestError('cardId', 'That card does not belong to this user');
    return card;
  }
  return (await listCards(trx, user.msisdn))[0] ?? null;
}

/**
 * The user behind `msisdn` approves. The issuer decides (card, funds, limits, test amounts); a refusal is
 * written as RESERVE/SALE with operationSuccess false and a RESERVE_FAILED/SALE_FAILED callback; an approval
 * holds the funds and reserves (or captures at once on direct-capture sales units).
 * Shared by force approve and the simulated app.
 */
export async function approveAsUser(ctx: AppContext, trx: Trx, payment: PaymentRow, attempt: ApprovalAttempt): Promise<ApprovalResult> {
  const nowMs = ctx.clock.nowMs();
  const user = await resolveTestUser(trx, attempt.msisdn, nowMs);
  if (!user.can_pay_businesses) throw new VippsError('not_a_vipps_user');
  if (!appVersionSupported(user.app_version)) throw new VippsError('app_version_not_supported');
  if (payment.state === 'initiated' && payment.issuer_pending_until_ms !== null) throw new VippsError('already_processed');
  const passedBankId = attempt.passedBankId === true;
  if (!user.bankid_verified) {
    if (!attempt.interactive) throw new VippsError('user_not_bankid_verified');
    if (!passedBankId) return { status: 'challenge', challenge: 'bankid' };
    await setBankIdVerified(trx, user.msisdn);
  }
  const card = await chosenCard(trx, user, attempt.cardId);
  const decision = decideReservation({
    amountOre: payment.amount_ore,
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
    if (!attempt.interactive) throw new VippsError('user_not_bankid_verified');
    return { status: 'challenge', challenge: decision.challenge };
  }
  const approvalFacts = { userMsisdn: user.msisdn, cardBin: card?.bin ?? null, cardId: card?.id ?? null };
  const base = {
    msn: payment.msn,
    orderId: payment.order_id,
    requestId: '',
    transactionText: (p: PaymentRow) => p.transaction_text,
    approval: approvalFacts,
  };
  const approval = (facts: Parameters<typeof decideApproval>[0], now: number) => decideApproval(facts, payment.capture_type, now);
  if (decision.outcome === 'unknown') {
    const approvable = approval(factsOf(payment), nowMs);
    if (!approvable.ok) throw new VippsError(approvable.error);
    if (!(await markIssuerPending(trx, payment.id, decision.untilMs, user.msisdn, nowMs))) throw new VippsError('already_processed');
    return { status: 'pending', untilMs: decision.untilMs };
  }
  if (decision.outcome === 'refuse') {
    const refusal = decision.refusal;
    await decideAndRecord(ctx, trx, {
      ...base,
      decide: (facts, now) => {
        const approved = approval(facts, now);
        return approved.ok ? { ok: true, ...failedApproval(approved, REFUSAL_ERROR[refusal]) } : approved;
      },
    });
    return { status: 'refused', refusal };
  }
  const { operation } = await decideAndRecord(ctx, trx, { ...base, decide: approval, bank: holdFunds(card!.id, nowMs) });
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
  const nowMs = ctx.clock.nowMs();
  const outcome = await inTransaction(ctx, (trx) =>
    withIdempotency(
      trx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'approve', requestId: cmd.requestId },
        request: { customerPhoneNumber: cmd.customerPhoneNumber, token: cmd.token },
        nowMs,
      },
      async () => {
        const payment = await loadPayment(trx, cmd.msn, cmd.orderId);
        if (payment.landing_token !== cmd.token) {
          throw new InvalidRequestError('token', 'The token does not belong to this orderId; use the token from the initiate url');
        }
        const result = await approveAsUser(ctx, trx, payment, { msisdn: cmd.customerPhoneNumber, interactive: false });
        if (result.status === 'refused') throw new VippsError(REFUSAL_ERROR[result.refusal]);
        return {};
      },
    ),
  );
  ctx.onOutboundEnqueued();
  unwrap(outcome);
}
