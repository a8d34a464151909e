import { decideCapture } from '../../domain/payment.ts';
import { captureFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { unwrap, withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord } from './record-operation.ts';
import { actionTransactionInfo, transactionSummaryOf } from './wire.ts';

export interface MoneyActionCommand {
  msn: string;
  orderId: string;
  /** null: the whole remaining amount (omitted, null or 0 on the wire). */
  amountOre: number | null;
  transactionText: string;
  requestId: string | null;
}

export async function capturePayment(ctx: AppContext, cmd: MoneyActionCommand) {
  const nowMs = ctx.clock.nowMs();
  const outcome = await inTransaction(ctx, (trx) =>
    withIdempotency(
      trx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'capture', requestId: cmd.requestId },
        request: { amountOre: cmd.amountOre, transactionText: cmd.transactionText },
        nowMs,
      },
      async () => {
        const { payment, operation } = await decideAndRecord(ctx, trx, {
          msn: cmd.msn,
          orderId: cmd.orderId,
          requestId: cmd.requestId ?? '',
          transactionText: () => cmd.transactionText,
          decide: (facts, now) => {
            const decision = decideCapture(facts, cmd.amountOre, now);
            return decision.ok ? { ok: true, kind: 'capture', amountOre: decision.amountOre } : decision;
          },
          bank: captureFunds(nowMs),
        });
        return {
          orderId: payment.order_id,
          transactionInfo: actionTransactionInfo(operation, 'Captured'),
          transactionSummary: transactionSummaryOf(payment),
        };
      },
    ),
  );
  return unwrap(outcome);
}
