import { assert } from '../../domain/assert.ts';
import { VippsError } from '../../domain/errors.ts';
import { postingsFor } from '../../domain/ledger.ts';
import { checkMoneyInvariants, type Decision, type PaymentFacts } from '../../domain/payment.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { Trx } from '../../store/db.ts';
import { appendLedgerEntry } from '../../store/repos/ledger.ts';
import { appendOperation } from '../../store/repos/operations.ts';
import { applyGuardedOperation, type ApprovalFacts } from '../../store/repos/payments.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { enqueuePaymentCallback } from '../callbacks/payment-callback.ts';
import { factsOf, loadPayment } from './load.ts';

export interface RecordedOperation {
  payment: PaymentRow;
  operation: OperationRow;
}

/** A concurrent request can win the guarded UPDATE; we re-read and decide again a bounded number of times. */
const MAX_GUARD_RETRIES = 5;

/**
 * The pipeline every state change goes through, inside the caller's transaction:
 * load → decide (pure domain) → guarded UPDATE → operation log row → ledger entry → outbox row.
 * When the guarded UPDATE matches nothing, another request changed the payment first: re-read and let
 * the domain decide again, which either adapts (full capture of a smaller remainder) or names the error.
 */
export async function decideAndRecord(
  ctx: AppContext,
  trx: Trx,
  args: {
    msn: string;
    orderId: string;
    transactionText: (payment: PaymentRow) => string;
    requestId: string;
    approval?: ApprovalFacts;
    decide: (facts: PaymentFacts, nowMs: number) => Decision<{ kind: OperationKind; amountOre: number }>;
  },
): Promise<RecordedOperation> {
  const nowMs = ctx.clock.nowMs();
  for (let attempt = 0; attempt < MAX_GUARD_RETRIES; attempt++) {
    const before = await loadPayment(trx, args.msn, args.orderId);
    const decision = args.decide(factsOf(before), nowMs);
    if (!decision.ok) throw new VippsError(decision.error);
    const after = await applyGuardedOperation(trx, {
      paymentId: before.id,
      kind: decision.kind,
      amountOre: decision.amountOre,
      nowMs,
      ...(args.approval ? { approval: args.approval } : {}),
    });
    if (!after) continue;
    checkMoneyInvariants(factsOf(after));
    const operation = await appendOperation(trx, {
      payment_id: after.id,
      msn: after.msn,
      seq: after.version,
      kind: decision.kind,
      amount_ore: decision.amountOre,
      transaction_text: args.transactionText(after),
      request_id: args.requestId,
      created_at_ms: nowMs,
    });
    await appendLedgerEntry(trx, {
      operationId: operation.id,
      paymentId: after.id,
      msn: after.msn,
      nowMs,
      lines: postingsFor(decision.kind, decision.amountOre),
    });
    await enqueuePaymentCallback(ctx, trx, after, operation);
    return { payment: after, operation };
  }
  // Only reachable under extreme contention on one order; the merchant retries with the same key.
  throw new VippsError('order_locked');
}

/** The transactionId shown on the wire: a 10-digit number derived from the operation row's id. */
export function transactionIdOf(operation: Pick<OperationRow, 'id'>): string {
  assert(Number.isSafeInteger(operation.id) && operation.id > 0, 'operation ids are positive');
  return String(5_000_000_000 + operation.id);
}
