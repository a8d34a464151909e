import { decideCancel } from '../../domain/payment.ts';
import { releaseFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { unwrap, withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord } from './record-operation.ts';
import { actionTransactionInfo, transactionSummaryOf } from './wire.ts';

export interface CancelCommand {
  msn: string;
  orderId: string;
  transactionText: string;
  shouldReleaseRemainingFunds: boolean;
  requestId: string | null;
}

export async function cancelPayment(ctx: AppContext, cmd: CancelCommand) {
  const nowMs = ctx.clock.nowMs();
  const outcome = await inTransaction(ctx, (trx) =>
    withIdempotency(
      trx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'cancel', requestId: cmd.requestId },
        request: { transactionText: cmd.transactionText, shouldReleaseRemainingFunds: cmd.shouldReleaseRemainingFunds },
        nowMs,
      },
      async () => {
        const { payment, operation } = await decideAndRecord(ctx, trx, {
          msn: cmd.msn,
          orderId: cmd.orderId,
          requestId: cmd.requestId ?? '',
          transactionText: () => cmd.transactionText,
          decide: (facts, now) => decideCancel(facts, cmd.shouldReleaseRemainingFunds, now),
          bank: releaseFunds(nowMs),
        });
        // The real answer reports the original order amount, whatever was released.
        return {
          orderId: payment.order_id,
          transactionInfo: actionTransactionInfo(operation, 'Cancelled', payment.amount_ore),
          transactionSummary: transactionSummaryOf(payment),
        };
      },
    ),
  );
  return unwrap(outcome);
}
