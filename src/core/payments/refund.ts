import { decideRefund } from '../../domain/payment.ts';
import { refundFunds } from '../banks/bank-operations.ts';
import { rememberCardBank } from '../banks/card-bank-in-tx.ts';
import { paymentCardBank } from '../../store/repos/banks.ts';
import type { AppContext } from '../context.ts';
import type { MoneyActionCommand } from './capture.ts';
import { merchantMoneyAction } from './money-action.ts';
import type { RecordedOperation } from './record-operation.ts';

export function refundPayment(ctx: AppContext, cmd: MoneyActionCommand): Promise<RecordedOperation> {
  return merchantMoneyAction(ctx, {
    operation: 'refund',
    ...cmd,
    request: { amountOre: cmd.amountOre, transactionText: cmd.transactionText },
    decide: (facts, now) => {
      const decision = decideRefund(facts, cmd.amountOre, now);
      return decision.ok ? { ok: true, kind: 'refund', amountOre: decision.amountOre } : decision;
    },
    bank: refundFunds,
    alongside: { bind: paymentCardBank, keep: (tx, payment, [bank]) => rememberCardBank(tx, payment.id, bank) },
  });
}
