import { assert } from '../../domain/assert.ts';
import { InvalidRequestError, Refused } from '../../domain/refusals.ts';
import { listAddresses } from '../../store/repos/addresses.ts';
import { recordSynchronousCall } from '../../store/repos/outbound-calls.ts';
import { storeShippingOptions } from '../../store/repos/payments.ts';
import type { PaymentRow } from '../../store/schema.ts';
import type { AppContext, Tx } from '../context.ts';
import { EXPRESS_PAYMENT } from '../payments/initiate.ts';
import { decideAndRecord } from '../payments/record-operation.ts';
import { failedApproval } from '../banks/bank-operations.ts';
import { inTransaction } from '../transaction.ts';
import { resolveTestUser } from '../users/test-users.ts';
import { defaultMethod, shippingMethodsFor, type ShippingMethod, type ShippingResult } from './shipping.ts';
import { decideApproval } from '../../domain/payment.ts';

export function isExpress(payment: PaymentRow): boolean {
  return payment.payment_type === EXPRESS_PAYMENT;
}

export type ExpressPreparation =
  | { ok: true; addressId: number; methods: ShippingMethod[]; defaultMethodId: string }
  | { ok: false; reason: string };

/**
 * Express step before the approval: the user's address (chosen or default) and the shipping methods for it,
 * from the static list or the merchant's endpoint. The offered methods are stored on the payment, so the
 * approval can only pick one of them. A slow, failing or malformed answer fails the payment (RESERVE with
 * operationSuccess false, Payment 45) as the real app does ("Payment failed").
 */
export async function prepareExpress(ctx: AppContext, payment: PaymentRow, msisdn: string, addressId: number | null): Promise<ExpressPreparation> {
  await inTransaction(ctx, (tx) => resolveTestUser(tx, msisdn));
  const addresses = await listAddresses(ctx.store.db, msisdn);
  if (addressId !== null && !addresses.some((a) => a.id === addressId)) {
    throw new InvalidRequestError('addressId', `Address ${addressId} is not one of the user's`);
  }
  const address = addressId === null ? addresses[0] : addresses.find((a) => a.id === addressId);
  const asked = address ? await shippingMethodsFor(ctx, payment, address) : null;
  const result: ShippingResult = asked?.result ?? { ok: false, reason: 'the user has no address' };
  // The recorded call and what it led to (methods offered, or the payment failed) commit together or not at all.
  await inTransaction(ctx, async (tx) => {
    if (asked?.call) await recordSynchronousCall(tx.trx, asked.call);
    if (address && result.ok) {
      await storeShippingOptions(tx.trx, payment.id, JSON.stringify({ addressId: address.id, methods: result.methods }), tx.nowMs);
    } else {
      await failExpressPayment(tx, payment, msisdn);
    }
  });
  if (!address || !result.ok) return { ok: false, reason: result.ok ? 'the user has no address' : result.reason };
  const chosen = defaultMethod(result.methods);
  assert(chosen !== undefined, 'a successful shipping answer has at least one method');
  return { ok: true, addressId: address.id, methods: result.methods, defaultMethodId: chosen.shippingMethodId };
}

/** The shipping step failed: RESERVE with operationSuccess false (Payment 45) and its callback. */
async function failExpressPayment(tx: Tx, payment: PaymentRow, msisdn: string): Promise<void> {
  try {
    await decideAndRecord(tx, {
      msn: payment.msn,
      orderId: payment.order_id,
      requestId: '',
      transactionText: (p) => p.transaction_text,
      approval: { userMsisdn: msisdn, cardBin: null, cardId: null },
      decide: (facts, now) => {
        const approved = decideApproval(facts, payment.capture_type, now);
        return approved.ok ? { ok: true, ...failedApproval(approved, 'user_did_not_act') } : approved;
      },
    });
  } catch (error) {
    // Already resolved by someone else (approved, cancelled, timed out): nothing to fail, and nothing was written.
    if (!(error instanceof Refused)) throw error;
  }
}
