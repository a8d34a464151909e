import { Refused } from '../../domain/refusals.ts';
import { decideTimeout } from '../../domain/payment.ts';
import { findPaymentsDueForTimeout } from '../../store/repos/payments.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord } from './record-operation.ts';

const EXPIRY_BATCH = 200;

/**
 * Payments nobody acted on within the window become REJECTED, each in its own transaction with its
 * REJECTED callback. Races with a late approval have one winner (guarded UPDATE on state and expiry).
 * Returns how many payments it expired.
 */
export async function expireDuePayments(ctx: AppContext): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await findPaymentsDueForTimeout(ctx.store.db, ctx.clock.nowMs(), EXPIRY_BATCH);
    for (const payment of due) {
      try {
        await inTransaction(ctx, (tx) =>
          decideAndRecord(tx, {
            msn: payment.msn,
            orderId: payment.order_id,
            requestId: '',
            transactionText: (p) => p.transaction_text,
            decide: (facts, nowMs) =>
              decideTimeout(facts, nowMs, { pending: payment.issuer_pending_until_ms !== null, captureType: payment.capture_type }),
          }),
        );
        expired++;
      } catch (error) {
        // Someone else resolved it first (approved, cancelled, or another node expired it).
        if (!(error instanceof Refused)) throw error;
      }
    }
    if (due.length < EXPIRY_BATCH) break;
  }
  return expired;
}
