import { decideCapture } from '../../domain/payment.ts';
import { captureFunds } from '../banks/bank-operations.ts';
import type { AppContext } from '../context.ts';
import { merchantMoneyAction } from './money-action.ts';
import type { RecordedOperation } from './record-operation.ts';

export interface MoneyActionCommand {
  msn: string;
  orderId: string;
  /** null: the whole remaining amount (omitted, null or 0 on the wire). */
  amountOre: number | null;
  transactionText: string;
  requestId: string | null;
}

export function capturePayment(ctx: AppContext, cmd: MoneyActionCommand): Promise<RecordedOperation> {
  return merchantMoneyAction(ctx, {
    operation: 'capture',
    ...cmd,
    request: { amountOre: cmd.amountOre, transactionText: cmd.transactionText },
    decide: (facts, now) => {
      const decision = decideCapture(facts, cmd.amountOre, now);
      return decision.ok ? { ok: true, kind: 'capture', amountOre: decision.amountOre } : decision;
    },
    bank: captureFunds,
  });
}
