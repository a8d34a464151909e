import { assert } from '../../domain/assert.ts';
import { isBalanced, type LedgerLine } from '../../domain/ledger.ts';
import type { Executor } from '../db.ts';

/**
 * A payment operation's postings as one journal entry and its lines. Insert-only: there is deliberately no update or
 * delete here, and the engine refuses both (L2).
 */
export async function appendLedgerEntry(
  db: Executor,
  entry: { operationId: number; paymentId: number; msn: string; nowMs: number; lines: readonly LedgerLine[] },
): Promise<void> {
  if (entry.lines.length === 0) return;
  assert(isBalanced(entry.lines), `ledger entry for operation ${entry.operationId} does not balance`);
  const { id: entryId } = await db
    .insertInto('ledger_entry')
    .values({ msn: entry.msn, kind: 'payment_operation', operation_id: entry.operationId, payment_id: entry.paymentId, settlement_id: null, created_at_ms: entry.nowMs })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('ledger_line')
    .values(
      entry.lines.map((line) => ({
        entry_id: entryId,
        operation_id: entry.operationId,
        payment_id: entry.paymentId,
        msn: entry.msn,
        account: line.account,
        amount_ore: line.amountOre,
        created_at_ms: entry.nowMs,
      })),
    )
    .execute();
}

export async function listLedgerLines(db: Executor, msn: string, paymentId: number) {
  return db
    .selectFrom('ledger_line')
    .selectAll()
    .where('msn', '=', msn)
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
}

/** A settlement's postings (fees retained, payout scheduled, payout booked by the bank) as one journal entry. */
export async function appendSettlementEntry(db: Executor, entry: { settlementId: number; msn: string; nowMs: number; lines: readonly LedgerLine[] }): Promise<void> {
  assert(entry.lines.length >= 2 && isBalanced(entry.lines), `ledger entry for settlement ${entry.settlementId} does not balance`);
  const { id: entryId } = await db
    .insertInto('ledger_entry')
    .values({ msn: entry.msn, kind: 'settlement', operation_id: null, payment_id: null, settlement_id: entry.settlementId, created_at_ms: entry.nowMs })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('ledger_line')
    .values(entry.lines.map((line) => ({ entry_id: entryId, operation_id: null, payment_id: null, msn: entry.msn, account: line.account, amount_ore: line.amountOre, created_at_ms: entry.nowMs })))
    .execute();
}
