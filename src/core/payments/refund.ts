import { decideRefund } from '../../domain/payment.ts';
import { refundFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import type { MoneyActionCommand } from './capture.ts';
import { decideAndRecord, type RecordedOperation } from './record-operation.ts';

export function refundPayment(ctx: AppContext, cmd: MoneyActionCommand): Promise<RecordedOperation> {
  return inTransaction(ctx, (tx) =>
    withIdempotency(
      tx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'refund', requestId: cmd.requestId },
        request: { amountOre: cmd.amountOre, transactionText: cmd.transactionText },
      },
      () =>
        decideAndRecord(tx, {
          msn: cmd.msn,
          orderId: cmd.orderId,
          requestId: cmd.requestId ?? '',
          transactionText: () => cmd.transactionText,
          decide: (facts, now) => {
            const decision = decideRefund(facts, cmd.amountOre, now);
            return decision.ok ? { ok: true, kind: 'refund', amountOre: decision.amountOre } : decision;
          },
          bank: refundFunds,
        }),
    ),
  );
}
