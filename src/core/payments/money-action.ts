import type { Decision, PaymentFacts } from '../../domain/payment.ts';
import { claimKeyAndLockPayment } from '../../store/repos/idempotency.ts';
import type { Trx } from '../../store/db.ts';
import type { BoundQuery } from '../../store/prepared.ts';
import type { PaymentRow } from '../../store/schema.ts';
import type { AppContext, Tx } from '../context.ts';
import { afterClaim, idempotencyKeyOf } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { adoptLocked, lockPayment } from './load.ts';
import { decideAndRecord, type BankStep, type OperationDecision, type RecordedOperation } from './record-operation.ts';

/**
 * A read an operation needs besides the payment (a refund: the card's bank), sent with the key's claim and the
 * payment's locked read (one round trip on PostgreSQL), and what the operation keeps of it for its bank step.
 */
export interface ReadAlongside<R> {
  bind(db: Trx, msn: string, orderId: string): BoundQuery<R>;
  keep(tx: Tx, payment: PaymentRow, rows: R[]): void;
}

/**
 * A merchant's capture, refund or cancel: one transaction, idempotent under its X-Request-Id (the request fields
 * are what a retry must repeat), through the shared pipeline with the operation's decision and bank step. The key's
 * claim and the payment's locked read go to the database together (one round trip on PostgreSQL).
 */
export function merchantMoneyAction<R = never>(
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
    alongside?: ReadAlongside<R>;
  },
): Promise<RecordedOperation> {
  const { msn, orderId } = args;
  const record = (tx: Tx, locked: PaymentRow) =>
    decideAndRecord(tx, {
      msn,
      orderId,
      locked,
      requestId: args.requestId ?? '',
      transactionText: () => args.transactionText,
      decide: args.decide,
      bank: args.bank,
    });
  const key = idempotencyKeyOf({ scope: { msn, orderId, operation: args.operation, requestId: args.requestId }, request: args.request });
  return inTransaction(ctx, async (tx) => {
    if (key === null) return record(tx, await lockPayment(tx, msn, orderId));
    const { claimed, locked, alongside } = await claimKeyAndLockPayment(tx.trx, tx.kind, key.scope, key.fingerprint, tx.nowMs, args.alongside?.bind(tx.trx, msn, orderId));
    if (args.alongside && locked) args.alongside.keep(tx, locked.payment, alongside);
    // A payment that is not there is this request's outcome too: "not found" is thrown inside, and stored with the key.
    return afterClaim(tx, key, claimed, () => record(tx, adoptLocked(tx, locked, msn, orderId)));
  });
}
