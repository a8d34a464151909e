import type { Decision, PaymentFacts } from '../../domain/payment.ts';
import type { AppContext } from '../context.ts';
import { withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord, type BankStep, type OperationDecision, type RecordedOperation } from './record-operation.ts';

/**
 * A merchant's capture, refund or cancel: one transaction, idempotent under its X-Request-Id (the request fields
 * are what a retry must repeat), through the shared pipeline with the operation's decision and bank step.
 */
export function merchantMoneyAction(
  ctx: AppContext,
  args: {
    operation: 'capture' | 'refund' | 'cancel';
    msn: string;
    orderId: string;
    requestId: string | null;
    transactionText: string;
    /** The request as the idempotency fingerprint sees it. */
    request: Record<string, unknown>;
    decide: (facts: PaymentFacts, nowMs: number) => Decision<OperationDecision>;
    bank: BankStep;
  },
): Promise<RecordedOperation> {
  return inTransaction(ctx, (tx) =>
    withIdempotency(
      tx,
      { scope: { msn: args.msn, orderId: args.orderId, operation: args.operation, requestId: args.requestId }, request: args.request },
      () =>
        decideAndRecord(tx, {
          msn: args.msn,
          orderId: args.orderId,
          requestId: args.requestId ?? '',
          transactionText: () => args.transactionText,
          decide: args.decide,
          bank: args.bank,
        }),
    ),
  );
}
