import { decideRefund } from '../../domain/payment.ts';
import { refundFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { unwrap, withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import type { MoneyActionCommand } from './capture.ts';
import { decideAndRecord } from './record-operation.ts';
import { actionTransactionInfo, transactionSummaryOf } from './wire.ts';

export async function refundPayment(ctx: AppContext, cmd: MoneyActionCommand) {
  const nowMs = ctx.clock.nowMs();
  const outcome = await inTransaction(ctx, (trx) =>
    withIdempotency(
      trx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'refund', requestId: cmd.requestId },
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
            const decision = decideRefund(facts, cmd.amountOre, now);
            return decision.ok ? { ok: true, kind: 'refund', amountOre: decision.amountOre } : decision;
          },
          bank: refundFunds(nowMs),
        });
        const transaction = actionTransactionInfo(operation, 'Refund');
        // The spec names it `transaction`; Vipps' own WooCommerce plugin looks for `transactionInfo` too.
        return { orderId: payment.order_id, transaction, transactionInfo: transaction, transactionSummary: transactionSummaryOf(payment) };
      },
    ),
  );
  return unwrap(outcome);
}
