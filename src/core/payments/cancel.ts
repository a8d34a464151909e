import { decideCancel } from '../../domain/payment.ts';
import { releaseFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord, type RecordedOperation } from './record-operation.ts';

export interface CancelCommand {
  msn: string;
  orderId: string;
  transactionText: string;
  shouldReleaseRemainingFunds: boolean;
  requestId: string | null;
}

export function cancelPayment(ctx: AppContext, cmd: CancelCommand): Promise<RecordedOperation> {
  return inTransaction(ctx, (tx) =>
    withIdempotency(
      tx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'cancel', requestId: cmd.requestId },
        request: { transactionText: cmd.transactionText, shouldReleaseRemainingFunds: cmd.shouldReleaseRemainingFunds },
      },
      () =>
        decideAndRecord(tx, {
          msn: cmd.msn,
          orderId: cmd.orderId,
          requestId: cmd.requestId ?? '',
          transactionText: () => cmd.transactionText,
          decide: (facts, now) => decideCancel(facts, cmd.shouldReleaseRemainingFunds, now),
          bank: releaseFunds,
        }),
    ),
  );
}
