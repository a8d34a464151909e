import { assert } from '../../domain/assert.ts';
import type { LedgerLine } from '../../domain/ledger.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { Executor } from '../db.ts';
import { operationWithEntry, type DialectKind } from '../dialect.ts';
import { changedPayment, guardedParamsOf, guardedUpdate, type GuardedOperationArgs, type GuardedParams } from '../guarded-update.ts';
import { prepared, type PreparedQuery } from '../prepared.ts';
import type { NewOperation, OperationRow, PaymentCoreRow } from '../schema.ts';
import { appendLedgerEntry, balancedLineParams } from './ledger.ts';
import { appendOperationWithId } from './operations.ts';

/** An operation to write: the payment it changes as locked, the guarded change, the operation's own columns, its postings. */
export interface OperationWrite extends Omit<GuardedOperationArgs, 'paymentId'> {
  /** The payment as the transaction locked it and decided on it. */
  before: PaymentCoreRow;
  transactionText: string;
  requestId: string;
  errorKey: string | null;
  lines: readonly LedgerLine[];
  /** PostgreSQL: the operation's id, drawn by the locked read (dialect.ts loadPaymentForUpdate); SQLite: null. */
  operationId: number | null;
}

/**
 * An operation whole: the payment's guarded UPDATE, the operation numbered by the version it gives the payment, its
 * journal entry. The changed row and the operation are computed from the locked row (guarded-update.ts
 * changedPayment), not read back; a guard that does not hold is an error (the caller decided on the locked row).
 * SQLite runs the statements one after another and counts the UPDATE's rows (RETURNING costs SQLite a temporary table
 * per statement); on PostgreSQL all of it is one statement that goes out with the transaction's next one, usually
 * its COMMIT (dialect.ts operationWithEntry).
 */
export async function applyOperationWithEntry(
  db: Executor,
  kind: DialectKind,
  write: OperationWrite,
): Promise<{ changed: PaymentCoreRow; operation: OperationRow }> {
  const { before } = write;
  const withApproval = write.approval !== undefined;
  const guard = guardedParamsOf({ ...write, paymentId: before.id });
  const changed = changedPayment(before, write.kind, withApproval, guard);
  const operation: NewOperation = {
    payment_id: before.id,
    msn: before.msn,
    seq: changed.version,
    kind: write.kind,
    amount_ore: write.amountOre,
    transaction_text: write.transactionText,
    request_id: write.requestId,
    created_at_ms: write.nowMs,
    error_key: write.errorKey,
  };
  if (kind === 'postgres') {
    assert(write.operationId !== null, `an operation of payment ${before.id} without the id its locked read drew`);
    await operationWithEntry(write.kind, withApproval, write.lines.length).run(db, {
      ...guard,
      msn: before.msn,
      operation_id: write.operationId,
      transaction_text: write.transactionText,
      request_id: write.requestId,
      error_key: write.errorKey,
      ...balancedLineParams(write.lines, `an operation of payment ${before.id}`),
    });
    return { changed, operation: { id: write.operationId, ...operation } };
  }
  const updated = await guardedUpdateOf(write.kind, withApproval).affected(db, guard);
  assert(updated === 1, `guarded ${write.kind} of ${write.amountOre} on payment ${before.id} matched ${updated} rows`);
  const written = await appendOperationWithId(db, operation);
  await appendLedgerEntry(db, { operationId: written.id, paymentId: before.id, msn: before.msn, nowMs: write.nowMs, lines: write.lines });
  return { changed, operation: written };
}

/** One prepared guarded UPDATE per operation kind (and, for failed approvals, whether the user is known). */
const guardedUpdates = new Map<string, PreparedQuery<GuardedParams, never>>();
function guardedUpdateOf(kind: OperationKind, withApproval: boolean): PreparedQuery<GuardedParams, never> {
  const key = `${kind}/${withApproval}`;
  let update = guardedUpdates.get(key);
  if (update === undefined) {
    update = prepared<GuardedParams, never>((db, p) => guardedUpdate(db, kind, withApproval, p));
    guardedUpdates.set(key, update);
  }
  return update;
}
