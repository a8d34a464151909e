import { decideCancel } from '../../domain/payment.ts';
import { releaseFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { merchantMoneyAction } from './money-action.ts';
import type { RecordedOperation } from './record-operation.ts';

export interface CancelCommand {
  msn: string;
  orderId: string;
  transactionText: string;
  shouldReleaseRemainingFunds: boolean;
  requestId: string | null;
}

export function cancelPayment(ctx: AppContext, cmd: CancelCommand): Promise<RecordedOperation> {
  return merchantMoneyAction(ctx, {
    operation: 'cancel',
    ...cmd,
    request: { transactionText: cmd.transactionText, shouldReleaseRemainingFunds: cmd.shouldReleaseRemainingFunds },
    decide: (facts, now) => decideCancel(facts, cmd.shouldReleaseRemainingFunds, now),
    bank: releaseFunds,
  });
}
