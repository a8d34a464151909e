import { decideUserCancel } from '../../domain/payment.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { decideAndRecord } from './record-operation.ts';

/** The user pressed "cancel" on the landing page or in the app: CANCEL in the log, CANCELLED callback. */
export async function cancelByUser(ctx: AppContext, msn: string, orderId: string): Promise<void> {
  await inTransaction(ctx, (tx) =>
    decideAndRecord(tx, {
      msn,
      orderId,
      requestId: '',
      transactionText: (p) => p.transaction_text,
      decide: (facts) => decideUserCancel(facts),
    }),
  );
}
