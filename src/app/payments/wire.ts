import { isoTimestamp } from '../../domain/clock.ts';
import { remainingToCaptureOre, remainingToRefundOre } from '../../domain/payment.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import { factsOf } from './load.ts';
import { transactionIdOf } from './record-operation.ts';

/** The ecomm v2 `TransactionSummary`; the bank identification number appears only in /details. */
export function transactionSummaryOf(payment: PaymentRow) {
  const facts = factsOf(payment);
  return {
    capturedAmount: payment.captured_ore,
    remainingAmountToCapture: remainingToCaptureOre(facts),
    refundedAmount: payment.refunded_ore,
    remainingAmountToRefund: remainingToRefundOre(facts),
  };
}

/** `transactionInfo` of capture/refund/cancel answers. */
export function actionTransactionInfo(
  operation: OperationRow,
  status: 'Captured' | 'Refund' | 'Cancelled',
  amountOre: number = operation.amount_ore,
) {
  return {
    amount: amountOre,
    timeStamp: isoTimestamp(operation.created_at_ms),
    transactionText: operation.transaction_text,
    status,
    transactionId: transactionIdOf(operation),
  };
}
