import { listOutboundCalls, replayOutbound } from '../callbacks/inspect.ts';
import { LOG_OPERATION, operationSucceeded } from '../../domain/payment-states.ts';
import { loadViewWithLog, personalDataExpired } from '../payments/details.ts';
import type { StoredShipping } from '../express/stored-shipping.ts';
import { maskedEmail, maskedName, maskedPhone } from '../../shared/masking.ts';
import type { AppContext } from '../context.ts';
import { ownUnit, type MerchantScope } from './scope.ts';

/** A call listing this long covers every callback of one order (initiate, reserve, capture, refunds, replays). */
const CALLS_PER_ORDER = 200;

/**
 * One payment of the user's merchant: its amounts, the whole operation log (oldest first), the user's side masked,
 * and every outbound call for the order with each attempt (request sent, answer received).
 */
export async function portalPayment(ctx: AppContext, scope: MerchantScope, msn: string, orderId: string) {
  ownUnit(scope, msn);
  const { payment, log } = await loadViewWithLog(ctx.store.db, msn, orderId);
  const callbacks = await listOutboundCalls(ctx, msn, { orderId, limit: CALLS_PER_ORDER });
  const expired = personalDataExpired(payment, ctx.clock.nowMs());
  const user = payment.user_details_json === null || expired ? null : (JSON.parse(payment.user_details_json) as Record<string, string | null>);
  const shipping = payment.shipping_json === null ? null : (JSON.parse(payment.shipping_json) as StoredShipping);
  const msisdn = payment.user_msisdn ?? payment.pushed_to_msisdn ?? payment.customer_mobile;
  return {
    payment,
    log: log.map((op) => ({
      seq: op.seq,
      operation: LOG_OPERATION[op.kind],
      kind: op.kind,
      succeeded: operationSucceeded(op.kind),
      amountOre: op.amount_ore,
      requestId: op.request_id,
      errorKey: op.error_key,
      atMs: op.created_at_ms,
    })),
    userSide: {
      phone: msisdn === null ? null : maskedPhone(msisdn),
      name: user ? maskedName(user.firstName ?? null, user.lastName ?? null) : null,
      email: user?.email ? maskedEmail(user.email) : null,
      userId: user?.userId ?? payment.sub,
      card: payment.card_bin === null ? null : `BIN ${String(payment.card_bin).slice(0, 4)} ••`,
      shipping: shipping && !expired ? `${shipping.shippingMethod}, ${shipping.address.postCode} ${shipping.address.city}` : null,
      personalDataExpired: expired,
    },
    callbacks,
  };
}

/** Send one of the order's calls again (the same replay as the callbacks page), within the user's sales units. */
export function replayPortalCallback(ctx: AppContext, scope: MerchantScope, msn: string, callId: number) {
  ownUnit(scope, msn);
  return replayOutbound(ctx, msn, callId);
}
