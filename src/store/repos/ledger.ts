import { assert } from '../../domain/assert.ts';
import { isBalanced, type LedgerAccount, type LedgerLine } from '../../domain/ledger.ts';
import type { Executor } from '../db.ts';
import { prepared, preparedWrite, type PreparedQuery } from '../prepared.ts';

/**
 * A payment operation's postings as one journal entry and its lines, on SQLite (PostgreSQL writes them in the
 * operation's own statement: operation-write.ts). Insert-only: there is deliberately no update or delete here, and
 * the engine refuses both (L2).
 */
export async function appendLedgerEntry(
  db: Executor,
  entry: { operationId: number; paymentId: number; msn: string; nowMs: number; lines: readonly LedgerLine[] },
): Promise<void> {
  if (entry.lines.length === 0) return;
  const lines = balancedLineParams(entry.lines, `operation ${entry.operationId}`);
  const entryId = await insertOperationEntry.insertedRowId(db, entry);
  if (entryId === undefined) throw new Error('INSERT of a ledger entry inserted no row');
  const params = { entryId, operationId: entry.operationId, paymentId: entry.paymentId, msn: entry.msn, nowMs: entry.nowMs, ...lines };
  await operationLinesInsert(entry.lines.length).affected(db, params);
}

/** An entry's lines as a statement's parameters `account0`, `amount0`, …, once they are known to balance (L1). */
export function balancedLineParams(lines: readonly LedgerLine[], entryOf: string): Record<string, unknown> {
  assert(isBalanced(lines), `ledger entry for ${entryOf} does not balance`);
  const params: Record<string, unknown> = {};
  lines.forEach((line, i) => {
    params[`account${i}`] = line.account;
    params[`amount${i}`] = line.amountOre;
  });
  return params;
}

type OperationEntry = { operationId: number; paymentId: number; msn: string; nowMs: number };
const insertOperationEntry = preparedWrite<OperationEntry>((db, p) =>
  db
    .insertInto('ledger_entry')
    .values({ msn: p.msn, kind: 'payment_operation', operation_id: p.operationId, payment_id: p.paymentId, settlement_id: null, created_at_ms: p.nowMs }),
);

/** One prepared INSERT per number of lines (an operation posts two or three). */
const linesInsertByCount = new Map<number, PreparedQuery<Record<string, unknown>, never>>();
function operationLinesInsert(count: number): PreparedQuery<Record<string, unknown>, never> {
  let insert = linesInsertByCount.get(count);
  if (insert === undefined) {
    insert = prepared<Record<string, unknown>, never>((db, p) =>
      db.insertInto('ledger_line').values(
        Array.from({ length: count }, (_, i) => ({
          entry_id: p.entryId as number,
          operation_id: p.operationId as number,
          payment_id: p.paymentId as number,
          msn: p.msn as string,
          account: p[`account${i}`] as LedgerAccount,
          amount_ore: p[`amount${i}`] as number,
          created_at_ms: p.nowMs as number,
        })),
      ),
    );
    linesInsertByCount.set(count, insert);
  }
  return insert;
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
