import { isoTimestamp } from '../../domain/clock.ts';
import { oreToNok } from '../../domain/money.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import { isRefusalReason } from '../../domain/refusals.ts';
import { CALLBACK_KIND, enqueueMerchantCall } from '../../core/callbacks/merchant-calls.ts';
import type { StoredShipping } from '../../core/express/stored-shipping.ts';
import { EXPRESS_PAYMENT } from '../../core/payments/initiate.ts';
import type { OperationListener } from '../../core/context.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import { ERRORS } from './error-catalogue.ts';
import { transactionIdOf } from './presenters.ts';

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

function errorInfoOf(operation: OperationRow) {
  if (operation.kind === 'timeout') return { errorInfo: TIMEOUT_ERROR_INFO };
  if (operation.error_key === null || !isRefusalReason(operation.error_key)) return {};
  const definition = ERRORS[operation.error_key];
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

/**
 * The ecomm v2 callback as an operation listener (registered at the composition root): the row commits with the state
 * change it reports, or not at all (O1). Plain concatenation of the URL: deployed clients put query strings in the
 * prefix and rely on it (REFERENCE §9.1).
 */
export const ecommV2CallbackListener: OperationListener = async (tx, payment, operation) => {
  const status = CALLBACK_STATUS[operation.kind];
  if (status === undefined) return;
  await enqueueMerchantCall(tx, {
    msn: payment.msn,
    payment,
    kind: CALLBACK_KIND,
    method: 'POST',
    url: `${payment.callback_prefix}/v2/payments/${payment.order_id}`,
    headers: payment.auth_token === null ? {} : { Authorization: payment.auth_token },
    body: paymentCallbackBody(payment, operation, status),
    timeoutMs: tx.config.callbackTimeoutMs,
  });
};
