import type { LedgerLine } from '../../domain/ledger.ts';
import type { OperationKind } from '../../domain/payment-states.ts';
import type { Executor } from '../db.ts';
import { guardedOperationWithEntry, OPERATION_PREFIX, type DialectKind } from '../dialect.ts';
import { guardedParamsOf, guardedUpdate, type GuardedOperationArgs, type GuardedParams } from '../guarded-update.ts';
import { splitPrefixed } from '../prefixed-columns.ts';
import { prepared, type PreparedQuery } from '../prepared.ts';
import type { OperationRow, PaymentCoreRow } from '../schema.ts';
import { appendLedgerEntry, balancedLineParams } from './ledger.ts';
import { appendOperationWithId } from './operations.ts';

/** An operation to write: the payment's guarded change, the operation's own columns, and its postings. */
export interface OperationWrite extends GuardedOperationArgs {
  transactionText: string;
  requestId: string;
  errorKey: string | null;
  lines: readonly LedgerLine[];
}

/**
 * An operation whole: the payment's guarded UPDATE, then the operation numbered by the version it gave the payment,
 * with its journal entry. Undefined, with nothing written, when the guard matched no row. On SQLite the UPDATE and
 * the inserts are statements of their own (in-process, and RETURNING costs SQLite more than a statement); on
 * PostgreSQL all of it is one statement, one round trip (dialect.ts guardedOperationWithEntry).
 */
export async function applyOperationWithEntry(
  db: Executor,
  kind: DialectKind,
  write: OperationWrite,
): Promise<{ changed: PaymentCoreRow; operation: OperationRow } | undefined> {
  const guard = guardedParamsOf(write);
  if (kind === 'postgres') {
    const params: Record<string, unknown> = {
      ...guard,
      transaction_text: write.transactionText,
      request_id: write.requestId,
      error_key: write.errorKey,
      ...balancedLineParams(write.lines, `an operation of payment ${write.paymentId}`),
    };
    const row = await guardedOperationWithEntry(write.kind, write.approval !== undefined, write.lines.length).first(db, params);
    if (row === undefined) return undefined;
    const [changed, operation] = splitPrefixed<PaymentCoreRow, OperationRow>(row, OPERATION_PREFIX);
    return { changed, operation };
  }
  const changed = await guardedUpdateOf(write.kind, write.approval !== undefined).first(db, guard);
  if (changed === undefined) return undefined;
  const operation = await appendOperationWithId(db, {
    payment_id: changed.id,
    msn: changed.msn,
    seq: changed.version,
    kind: write.kind,
    amount_ore: write.amountOre,
    transaction_text: write.transactionText,
    request_id: write.requestId,
    created_at_ms: write.nowMs,
    error_key: write.errorKey,
  });
  await appendLedgerEntry(db, { operationId: operation.id, paymentId: changed.id, msn: changed.msn, nowMs: write.nowMs, lines: write.lines });
  return { changed, operation };
}

/** One prepared guarded UPDATE per operation kind (and, for failed approvals, whether the user is known). */
const guardedUpdates = new Map<string, PreparedQuery<GuardedParams, PaymentCoreRow>>();
function guardedUpdateOf(kind: OperationKind, withApproval: boolean): PreparedQuery<GuardedParams, PaymentCoreRow> {
  const key = `${kind}/${withApproval}`;
  let update = guardedUpdates.get(key);
  if (update === undefined) {
    update = prepared<GuardedParams, PaymentCoreRow>((db, p) => guardedUpdate(db, kind, withApproval, p).returningAll());
    guardedUpdates.set(key, update);
  }
  return update;
}
