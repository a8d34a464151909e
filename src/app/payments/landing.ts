import { findSalesUnit } from '../../store/repos/merchants.ts';
import { findPaymentByLandingToken } from '../../store/repos/payments.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { approveAsUser } from './approve.ts';
import { cancelByUser } from './user-cancel.ts';

/** What the landing page shows for a token; null when the token is unknown. */
export async function landingView(ctx: AppContext, token: string) {
  const payment = await findPaymentByLandingToken(ctx.store.db, token);
  if (!payment) return null;
  const unit = await findSalesUnit(ctx.store.db, payment.msn);
  return {
    merchantName: unit?.name ?? payment.msn,
    orderId: payment.order_id,
    amountOre: payment.amount_ore,
    transactionText: payment.transaction_text,
    mobileNumber: payment.customer_mobile,
    state: payment.state,
    expiresAtMs: payment.expires_at_ms,
    fallBack: payment.fall_back,
  };
}

/** The user confirms on the landing page (the simulated app arrives with the user-side work). */
export async function approveFromLanding(ctx: AppContext, token: string, msisdn: string): Promise<string | null> {
  const fallBack = await inTransaction(ctx, async (trx) => {
    const payment = await findPaymentByLandingToken(trx, token);
    if (!payment) return null;
    await approveAsUser(ctx, trx, payment, msisdn);
    return payment.fall_back;
  });
  ctx.onOutboundEnqueued();
  return fallBack;
}

export async function cancelFromLanding(ctx: AppContext, token: string): Promise<string | null> {
  const payment = await findPaymentByLandingToken(ctx.store.db, token);
  if (!payment) return null;
  await cancelByUser(ctx, payment.msn, payment.order_id);
  return payment.fall_back;
}
