import { assert } from '../../domain/assert.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { oreToNok } from '../../domain/money.ts';
import { remainingToCaptureOre, remainingToRefundOre } from '../../domain/payment.ts';
import { LOG_OPERATION, STATUS_OF_KIND, operationSucceeded } from '../../domain/payment-states.ts';
import { personalDataExpired, type PaymentHistory } from '../../core/payments/details.ts';
import type { StoredShipping } from '../../core/express/stored-shipping.ts';
import { factsOf } from '../../core/payments/load.ts';
import type { RecordedOperation } from '../../core/payments/record-operation.ts';
import type { OperationRow, PaymentCoreRow } from '../../store/schema.ts';

/** Domain results as ecomm v2 bodies. Pure: a stored result (idempotent retry) renders the same body again. */

/** The transactionId shown on the wire: a 10-digit number derived from the operation row's id. */
export function transactionIdOf(operation: Pick<OperationRow, 'id'>): string {
  assert(Number.isSafeInteger(operation.id) && operation.id > 0, 'operation ids are positive');
  return String(5_000_000_000 + operation.id);
}

/** The ecomm v2 `TransactionSummary`; the bank identification number appears only in /details. */
export function transactionSummaryOf(payment: PaymentCoreRow) {
  const facts = factsOf(payment);
  return {
    capturedAmount: payment.captured_ore,
    remainingAmountToCapture: remainingToCaptureOre(facts),
    refundedAmount: payment.refunded_ore,
    remainingAmountToRefund: remainingToRefundOre(facts),
  };
}

/** `transactionInfo` of capture/refund/cancel answers. */
export function actionTransactionInfo(
  operation: OperationRow,
  status: 'Captured' | 'Refund' | 'Cancelled',
  amountOre: number = operation.amount_ore,
) {
  return {
    amount: amountOre,
    timeStamp: isoTimestamp(operation.created_at_ms),
    transactionText: operation.transaction_text,
    status,
    transactionId: transactionIdOf(operation),
  };
}

export function captureBody({ payment, operation }: RecordedOperation) {
  return { orderId: payment.order_id, transactionInfo: actionTransactionInfo(operation, 'Captured'), transactionSummary: transactionSummaryOf(payment) };
}

export function refundBody({ payment, operation }: RecordedOperation) {
  const transaction = actionTransactionInfo(operation, 'Refund');
  // The spec names it `transaction`; Vipps' own WooCommerce plugin looks for `transactionInfo` too.
  return { orderId: payment.order_id, transaction, transactionInfo: transaction, transactionSummary: transactionSummaryOf(payment) };
}

export function cancelBody({ payment, operation }: RecordedOperation) {
  // The real answer reports the original order amount, whatever was released.
  return {
    orderId: payment.order_id,
    transactionInfo: actionTransactionInfo(operation, 'Cancelled', payment.amount_ore),
    transactionSummary: transactionSummaryOf(payment),
  };
}

const EXPIRED = '[Expired]';

function personalDataOf(payment: PaymentCoreRow, nowMs: number) {
  const expired = personalDataExpired(payment, nowMs);
  const hide = (value: string | null) => (expired && value !== null ? EXPIRED : value);
  const result: Record<string, unknown> = {};
  if (payment.shipping_json !== null) {
    const shipping = JSON.parse(payment.shipping_json) as StoredShipping;
    result.shippingDetails = {
      // /details uses postCode and the country's name, unlike the express callback (zipCode, "NO").
      address: {
        addressLine1: hide(shipping.address.addressLine1),
        // The spec's addressLine2 is an optional string: a missing second line is left out, never null.
        ...(shipping.address.addressLine2 !== null ? { addressLine2: hide(shipping.address.addressLine2) } : {}),
        city: hide(shipping.address.city),
        country: shipping.address.country === 'NO' ? 'Norway' : shipping.address.country,
        postCode: hide(shipping.address.postCode),
      },
      shippingCost: oreToNok(shipping.shippingCostOre),
      shippingMethod: shipping.shippingMethod,
      shippingMethodId: shipping.shippingMethodId,
    };
  }
  if (payment.user_details_json !== null) {
    const user = JSON.parse(payment.user_details_json) as Record<string, string | null>;
    result.userDetails = {
      email: hide(user.email ?? null),
      firstName: hide(user.firstName ?? null),
      lastName: hide(user.lastName ?? null),
      mobileNumber: hide(user.mobileNumber ?? null),
      userId: user.userId,
    };
  }
  if (payment.sub !== null) result.sub = payment.sub;
  return result;
}

/** `GET …/details`: the whole history, newest first; the summary once the user has reacted. */
export function detailsBody({ payment, log }: PaymentHistory, nowMs: number) {
  const everReserved = payment.reserved_ore > 0;
  return {
    orderId: payment.order_id,
    transactionLogHistory: log
      .slice()
      .reverse()
      .map((op) => ({
        amount: op.amount_ore,
        transactionText: op.transaction_text,
        transactionId: transactionIdOf(op),
        timeStamp: isoTimestamp(op.created_at_ms),
        operation: LOG_OPERATION[op.kind],
        requestId: op.request_id,
        operationSuccess: operationSucceeded(op.kind),
      })),
    ...(everReserved
      ? {
          transactionSummary: {
            ...transactionSummaryOf(payment),
            ...(payment.card_bin !== null ? { bankIdentificationNumber: payment.card_bin } : {}),
          },
        }
      : {}),
    ...personalDataOf(payment, nowMs),
  };
}

/** `GET …/status` (deprecated): the last thing that happened. */
export function statusBody({ payment, log }: PaymentHistory) {
  const last = log.at(-1);
  assert(last !== undefined, 'every payment has its INITIATE operation');
  return {
    orderId: payment.order_id,
    transactionInfo: {
      amount: payment.amount_ore,
      // REGISTER: the user approved and the issuer has not answered yet.
      status: payment.state === 'initiated' && payment.issuer_pending_until_ms !== null ? 'REGISTER' : STATUS_OF_KIND[last.kind],
      timeStamp: isoTimestamp(last.created_at_ms),
      transactionId: transactionIdOf(last),
    },
  };
}

