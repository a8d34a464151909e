import { isoTimestamp } from '../../domain/clock.ts';
import { ERRORS, type ErrorKey } from '../../domain/errors.ts';
import { oreToNok } from '../../domain/money.ts';
import { EXPRESS_PAYMENT } from '../payments/initiate.ts';
import type { StoredShipping } from '../express/stored-shipping.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { Trx } from '../../store/db.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import { enqueueOutbound } from '../../store/repos/outbox.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { transactionIdOf } from '../payments/record-operation.ts';

/**
 * Which operations the platform reports to the merchant's callbackPrefix, and with which status.
 * Merchant-initiated capture, refund and cancel are answered synchronously and send no callback.
 */
const CALLBACK_STATUS: Partial<Record<OperationKind, string>> = {
  reserve: 'RESERVED',
  sale: 'SALE',
  reserve_failed: 'RESERVE_FAILED',
  sale_failed: 'SALE_FAILED',
  user_cancel: 'CANCELLED',
  timeout: 'REJECTED',
};

/** Seen on the real platform for a payment nobody acted on. */
const TIMEOUT_ERROR_INFO = { errorGroup: 'Payment', errorCode: '45', errorMessage: 'User has not acted upon the payment' };

export const CALLBACK_KIND = 'payment_callback';

function errorInfoOf(operation: OperationRow) {
  if (operation.kind === 'timeout') return { errorInfo: TIMEOUT_ERROR_INFO };
  const definition = operation.error_key === null ? undefined : ERRORS[operation.error_key as ErrorKey];
  if (!definition) return {};
  return { errorInfo: { errorGroup: definition.group, errorCode: definition.code, errorMessage: definition.message } };
}

/** The express callback's address uses `zipCode` and the ISO country ("apologies for not using postCode"). */
function expressShippingDetails(payment: PaymentRow) {
  if (payment.shipping_json === null) return {};
  const shipping = JSON.parse(payment.shipping_json) as StoredShipping;
  return {
    shippingDetails: {
      address: {
        addressLine1: shipping.address.addressLine1,
        addressLine2: shipping.address.addressLine2,
        city: shipping.address.city,
        country: shipping.address.country,
        zipCode: shipping.address.postCode,
      },
      shippingCost: oreToNok(shipping.shippingCostOre),
      shippingMethod: shipping.shippingMethod,
      shippingMethodId: shipping.shippingMethodId,
    },
  };
}

function sharedUserDetails(payment: PaymentRow) {
  return payment.user_details_json === null ? {} : { userDetails: JSON.parse(payment.user_details_json) as Record<string, unknown> };
}

export function paymentCallbackBody(payment: PaymentRow, operation: OperationRow, status: string) {
  // Express callbacks say RESERVE where regular ones say RESERVED ("it *is* correct that this is different").
  const wireStatus = payment.payment_type === EXPRESS_PAYMENT && status === 'RESERVED' ? 'RESERVE' : status;
  return {
    merchantSerialNumber: payment.msn,
    orderId: payment.order_id,
    ...expressShippingDetails(payment),
    ...sharedUserDetails(payment),
    transactionInfo: {
      amount: operation.amount_ore,
      status: wireStatus,
      timeStamp: isoTimestamp(operation.created_at_ms),
      transactionId: transactionIdOf(operation),
    },
    ...errorInfoOf(operation),
  };
}

/** Transactional outbox (O1): the callback row commits with the state change it reports, or not at all. */
export async function enqueuePaymentCallback(ctx: AppContext, trx: Trx, payment: PaymentRow, operation: OperationRow): Promise<void> {
  const status = CALLBACK_STATUS[operation.kind];
  if (status === undefined) return;
  const salesUnit = await findSalesUnit(trx, payment.msn);
  const nowMs = ctx.clock.nowMs();
  await enqueueOutbound(trx, {
    msn: payment.msn,
    payment_id: payment.id,
    order_id: payment.order_id,
    kind: CALLBACK_KIND,
    method: 'POST',
    // Plain concatenation: deployed clients put query strings in the prefix and rely on it (REFERENCE §9.1).
    url: `${payment.callback_prefix}/v2/payments/${payment.order_id}`,
    headers_json: JSON.stringify(payment.auth_token === null ? {} : { Authorization: payment.auth_token }),
    body_json: JSON.stringify(paymentCallbackBody(payment, operation, status)),
    timeout_ms: ctx.config.callbackTimeoutMs,
    state: 'pending',
    attempts: 0,
    max_attempts: salesUnit?.callback_max_attempts ?? 1,
    next_attempt_at_ms: nowMs,
    lease_owner: null,
    lease_until_ms: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  });
}
