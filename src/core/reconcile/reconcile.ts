import { isDeepStrictEqual } from 'node:util';
import { AssertionError } from '../../domain/assert.ts';
import { checkMoneyInvariants, replay, type PaymentMoney } from '../../domain/payment.ts';
import { expectedInsertOnlyGuards, listInsertOnlyGuards } from '../../store/dialect.ts';
import type { Store } from '../../store/db.ts';
import {
  countIdempotencyKeys,
  findDuplicateOrders,
  findEntriesWithoutTwoLines,
  findMisfiledLedgerLines,
  findIdempotencyKeysWithoutOutcome,
  findUnbalancedEntries,
  ledgerBalancesOfPayments,
  ledgerTotals,
  operationsOfPayments,
  outboxAttemptSummaries,
  paymentsAfter,
} from '../../store/repos/reconcile.ts';
import type { OperationRow, PaymentCoreRow } from '../../store/schema.ts';
import { factsOf } from '../payments/load.ts';
import { checkSettlements } from './settlements.ts';

export interface Violation {
  invariant: string;
  subject: string;
  detail: string;
}

export interface ReconciliationReport {
  ok: boolean;
  checked: { payments: number; operations: number; ledgerLines: number; outboxRows: number; idempotencyKeys: number };
  violations: Violation[];
}

const PAGE = 500;
/** Stop collecting after this many: a broken database should not produce a report larger than the database. */
const MAX_VIOLATIONS = 1000;

/**
 * Checks every invariant of docs/INVARIANTS.md over the whole database and names each violation.
 * The test suites use it as their oracle; operators run it as `npx kasse reconcile` or GET /_kasse/admin/reconcile.
 */
export async function reconcile(store: Store): Promise<ReconciliationReport> {
  const violations: Violation[] = [];
  const report = (invariant: string, subject: string, detail: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push({ invariant, subject, detail });
  };
  const { db } = store;

  const guards = await listInsertOnlyGuards(db, store.kind);
  for (const name of expectedInsertOnlyGuards()) {
    if (!guards.includes(name)) report('L2', name, 'insert-only trigger is missing');
  }

  const unbalanced = await findUnbalancedEntries(db, MAX_VIOLATIONS);
  for (const row of unbalanced) report('L1', `ledger entry ${row.entry_id}`, `ledger entry sums to ${row.total}, not 0`);
  for (const row of await findMisfiledLedgerLines(db, MAX_VIOLATIONS)) {
    report('L5', `ledger line ${row.lineId}`, `does not carry the operation, payment and MSN of its entry ${row.entryId}`);
  }
  for (const row of await findEntriesWithoutTwoLines(db, MAX_VIOLATIONS)) report('L5', `ledger entry ${row.id}`, `has ${row.lines} lines, not at least 2`);
  const totals = await ledgerTotals(db);
  if (Number(totals.total) !== 0) report('L1', 'ledger', `all lines sum to ${totals.total}, not 0`);

  // P3: the unique constraint keeps (msn, orderId) to one payment; the per-payment checks below cannot see a second one.
  const duplicateOrders = await findDuplicateOrders(db, MAX_VIOLATIONS);
  for (const row of duplicateOrders) report('P3', `payment ${row.msn}/${row.order_id}`, `${row.n} payments share this (msn, orderId)`);

  let payments = 0;
  let operations = 0;
  for (let afterId = 0; ; ) {
    const page = await paymentsAfter(db, afterId, PAGE);
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    payments += page.length;
    const ids = page.map((p) => p.id);
    const ops = await operationsOfPayments(db, ids);
    operations += ops.length;
    const lines = await ledgerBalancesOfPayments(db, ids);
    for (const payment of page) {
      checkPayment(
        payment,
        ops.filter((op) => op.payment_id === payment.id),
        new Map(lines.filter((l) => l.payment_id === payment.id).map((l) => [l.account, Number(l.total)])),
        report,
      );
    }
  }

  const outbox = await checkOutbox(store, report);
  const openKeys = await findIdempotencyKeysWithoutOutcome(db);
  for (const key of openKeys) {
    report('P5', `${key.msn}/${key.order_id}/${key.operation}/${key.request_id}`, 'committed idempotency key without an outcome');
  }
  const keyCount = await countIdempotencyKeys(db);
  await checkSettlements(store, report, MAX_VIOLATIONS);

  return {
    ok: violations.length === 0,
    checked: { payments, operations, ledgerLines: Number(totals.n), outboxRows: outbox, idempotencyKeys: Number(keyCount.n) },
    violations,
  };
}

function moneyOf(row: PaymentCoreRow): PaymentMoney {
  const { reservedAtMs: _reservedAt, expiresAtMs: _expiresAt, ...money } = factsOf(row);
  return money;
}

function checkPayment(
  payment: PaymentCoreRow,
  ops: OperationRow[],
  ledger: Map<string, number>,
  report: (invariant: string, subject: string, detail: string) => void,
): void {
  const subject = `payment ${payment.msn}/${payment.order_id}`;
  const row = moneyOf(payment);
  try {
    checkMoneyInvariants(row);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    report('P1', subject, error.message);
  }
  if (ops.length !== payment.version || ops.some((op, i) => op.seq !== i + 1)) {
    report('P3', subject, `version ${payment.version} but operation seqs [${ops.map((o) => o.seq).join(',')}]`);
  }
  let replayed: PaymentMoney | null = null;
  try {
    replayed = replay(ops.map((op) => ({ kind: op.kind, amountOre: op.amount_ore })));
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    report('P4', subject, `the operation log does not replay: ${error.message}`);
  }
  if (replayed && !isDeepStrictEqual(replayed, row)) {
    report('P4', subject, `replay gives ${JSON.stringify(replayed)} but the row is ${JSON.stringify(row)}`);
  }
  const expected = {
    reservations: row.reservedOre - row.capturedOre - row.releasedOre,
    merchant_payable: row.capturedOre - row.refundedOre,
    customer_funds: -row.reservedOre + row.releasedOre + row.refundedOre,
  };
  for (const [account, want] of Object.entries(expected)) {
    const have = ledger.get(account) ?? 0;
    if (have !== want) report('L3', subject, `ledger ${account} is ${have}, the row implies ${want}`);
  }
}

async function checkOutbox(store: Store, report: (invariant: string, subject: string, detail: string) => void): Promise<number> {
  const rows = await outboxAttemptSummaries(store.db);
  for (const row of rows) {
    const subject = `outbox ${row.id}`;
    if (row.attempts > row.max_attempts) report('O2', subject, `${row.attempts} attempts exceed the bound ${row.max_attempts}`);
    if (Number(row.recorded) !== row.attempts) report('O3', subject, `attempts ${row.attempts} but ${row.recorded} recorded`);
    if (row.state === 'pending' && row.attempts >= row.max_attempts) report('O2', subject, 'attempts used up but still pending');
    if (row.state === 'dead' && row.attempts < row.max_attempts) report('O2', subject, 'dead before its attempts were used');
    if (row.state === 'delivered' && !(Number(row.successes) > 0)) report('O2', subject, 'delivered without a 2xx attempt');
  }
  return rows.length;
}
