import { assert } from '../../domain/assert.ts';
import { Refused, type RefusalReason } from '../../domain/refusals.ts';
import { postingsFor } from '../../domain/ledger.ts';
import type { Ore } from '../../domain/money.ts';
import { checkMoneyInvariants, type Decision, type PaymentFacts } from '../../domain/payment.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { ApprovalFacts } from '../../store/guarded-update.ts';
import { applyOperationWithEntry } from '../../store/repos/operation-write.ts';
import type { OperationRow, PaymentRow } from '../../store/schema.ts';
import type { Tx } from '../context.ts';
import { factsOf, lockPayment, takeOperationId } from './load.ts';

export interface RecordedOperation {
  payment: PaymentRow;
  operation: OperationRow;
}

/** What to write: an operation, its amount, and for failed operations the error the merchant is told. */
export interface OperationDecision {
  kind: OperationKind;
  amountOre: Ore;
  errorKey?: RefusalReason;
}

/**
 * The bank's part of an operation (hold, charge, release, refund credit), run between deciding and writing.
 * It returns the decision to write: the same one, or a failure in its place when the bank refused.
 */
export type BankStep = (tx: Tx, payment: PaymentRow, decision: OperationDecision) => Promise<OperationDecision>;

/**
 * The pipeline every state change goes through, inside the caller's transaction:
 * lock and load (unless the caller did) → decide (pure domain) → bank → guarded UPDATE → operation log → ledger entry → listeners.
 * A refusal of the rules writes nothing. When the bank refuses, the failure is written instead (RESERVE/SALE/CAPTURE
 * with operationSuccess false) and reported as a recorded refusal, which the transaction commits.
 */
export async function decideAndRecord(
  tx: Tx,
  args: {
    msn: string;
    orderId: string;
    transactionText: (payment: PaymentRow) => string;
    requestId: string;
    approval?: ApprovalFacts;
    /** The payment as this transaction already loaded it for update; otherwise it is locked and loaded here. */
    locked?: PaymentRow;
    decide: (facts: PaymentFacts, nowMs: number) => Decision<OperationDecision>;
    bank?: BankStep;
  },
): Promise<RecordedOperation> {
  const { nowMs } = tx;
  const before = args.locked ?? (await lockPayment(tx, args.msn, args.orderId));
  const decided = args.decide(factsOf(before), nowMs);
  if (!decided.ok) throw new Refused(decided.error);
  const { ok: _ok, ...decision } = decided;
  const toWrite = args.bank ? await args.bank(tx, before, decision) : decision;
  const recorded = await writeOperation(tx, before, toWrite, args);
  if (toWrite !== decision && toWrite.errorKey !== undefined) throw new Refused(toWrite.errorKey, { recorded: true });
  return recorded;
}

async function writeOperation(
  tx: Tx,
  before: PaymentRow,
  decision: OperationDecision,
  args: { transactionText: (payment: PaymentRow) => string; requestId: string; approval?: ApprovalFacts },
): Promise<RecordedOperation> {
  const { trx, nowMs } = tx;
  const written = await applyOperationWithEntry(trx, tx.kind, {
    before,
    operationId: takeOperationId(tx, before.id),
    kind: decision.kind,
    amountOre: decision.amountOre,
    nowMs,
    ...(args.approval ? { approval: args.approval } : {}),
    // No operation changes a payment's transaction text: the locked row's is the changed row's.
    transactionText: args.transactionText(before),
    requestId: args.requestId,
    errorKey: decision.errorKey ?? null,
    lines: postingsFor(decision.kind, decision.amountOre),
  });
  // An operation changes the core payment only; its request and session are as they were.
  const after: PaymentRow = { ...before, ...written.changed };
  assert(after.version === before.version + 1, 'exactly one change per operation');
  checkMoneyInvariants(factsOf(after));
  await tx.operationRecorded(after, written.operation);
  return { payment: after, operation: written.operation };
}
