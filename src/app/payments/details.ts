import { isDeepStrictEqual } from 'node:util';
import { assert } from '../../domain/assert.ts';
import { DAY_MS } from '../../domain/clock.ts';
import { oreToNok } from '../../domain/money.ts';
import type { StoredShipping } from '../express/stored-shipping.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { LOG_OPERATION, STATUS_OF_KIND, operationSucceeded } from '../../domain/payment-states.ts';
import { replay } from '../../domain/payment.ts';
import type { Executor } from '../../store/db.ts';
import { listOperations } from '../../store/repos/operations.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import { factsOf, loadPayment } from './load.ts';
import { transactionIdOf } from './record-operation.ts';
import { transactionSummaryOf } from './wire.ts';

async function loadWithLog(db: Executor, msn: string, orderId: string): Promise<{ payment: PaymentRow; log: OperationRow[] }> {
  const payment = await loadPayment(db, msn, orderId);
  const log = await listOperations(db, msn, payment.id, payment.version);
  assert(log.length === payment.version, `payment ${payment.id} has version ${payment.version} but ${log.length} operations`);
  return { payment, log };
}

/** Personal data shared with the merchant is available for 7 days after reservation, then reads "[Expired]". */
export const PERSONAL_DATA_RETENTION_MS = 7 * DAY_MS;
const EXPIRED = '[Expired]';

function personalDataOf(payment: PaymentRow, nowMs: number) {
  const expired = payment.reserved_at_ms !== null && nowMs - payment.reserved_at_ms > PERSONAL_DATA_RETENTION_MS;
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
export async function paymentDetails(db: Executor, msn: string, orderId: string, nowMs: number) {
  const { payment, log } = await loadWithLog(db, msn, orderId);
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
export async function paymentStatus(db: Executor, msn: string, orderId: string) {
  const { payment, log } = await loadWithLog(db, msn, orderId);
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

/** Invariant P4 as a check: the fold of the log equals the row. Used by tests and reconciliation. */
export async function replayMatchesRow(db: Executor, msn: string, orderId: string): Promise<boolean> {
  const { payment, log } = await loadWithLog(db, msn, orderId);
  const replayed = replay(log.map((op) => ({ kind: op.kind, amountOre: op.amount_ore })));
  const { reservedAtMs: _r, expiresAtMs: _e, ...row } = factsOf(payment);
  return isDeepStrictEqual(replayed, row);
}
