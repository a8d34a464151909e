// Shared helpers of the storage and callback suites: database URL of a running test Kasse, ledger sums, Vipps error checks.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateToLatest, openStore, type Db, type Store } from '../../src/store/db.ts';
import { freshDatabase, PG_ADMIN_URL, type DialectName } from '../support/databases.ts';
import type { TestKasse } from '../support/harness.ts';
import { vippsError, type HttpResult } from '../support/merchant-client.ts';

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The URL of the database a test Kasse runs on, so a second node (store, dispatcher) can open it too. */
export async function databaseUrlOf(k: TestKasse): Promise<string> {
  const db = k.kasse.store.db;
  if (k.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(db);
    const main = rows.find((r) => r.name === 'main');
    assert.ok(main?.file, 'the test database is a file');
    return `sqlite:${main.file}`;
  }
  const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${rows[0]?.name ?? ''}`;
  return url.toString();
}

/** Σ ledger lines per account, optionally for one payment. */
export async function ledgerBalances(db: Db, paymentId?: number): Promise<Record<string, number>> {
  let query = db.selectFrom('ledger_line').select(['account', 'amount_ore']);
  if (paymentId !== undefined) query = query.where('payment_id', '=', paymentId);
  const balances: Record<string, number> = {};
  for (const line of await query.execute()) balances[line.account] = (balances[line.account] ?? 0) + Number(line.amount_ore);
  return balances;
}

export async function paymentRow(db: Db, msn: string, orderId: string) {
  return db.selectFrom('payment').selectAll().where('msn', '=', msn).where('order_id', '=', orderId).executeTakeFirstOrThrow();
}

export async function operationKinds(db: Db, paymentId: number): Promise<string[]> {
  const rows = await db.selectFrom('payment_operation').select('kind').where('payment_id', '=', paymentId).orderBy('seq').execute();
  return rows.map((r) => r.kind);
}

/** The answer is exactly the Vipps error (group, code) with its HTTP status. */
export function assertVippsError(result: HttpResult, httpStatus: number, errorGroup: string, errorCode: string): void {
  assert.equal(result.status, httpStatus, result.text);
  const error = vippsError(result.body);
  assert.equal(error.errorGroup, errorGroup, result.text);
  assert.equal(error.errorCode, errorCode, result.text);
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** A node of PostgreSQL's EXPLAIN (FORMAT JSON) plan, with the fields the plan tests read. */
export interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PgPlanNode[];
}

/** The plan's nodes, the root first. */
export function pgPlanNodes(node: PgPlanNode): PgPlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(pgPlanNodes)];
}

/** Stores on fresh, migrated databases of one dialect; `closeAll` (for `after`) closes and drops every one opened. */
export function migratedStores(dialect: DialectName): { open(): Promise<Store>; closeAll(): Promise<void> } {
  const cleanups: Array<() => Promise<void>> = [];
  return {
    async open() {
      const database = await freshDatabase(dialect);
      const store = await openStore(database.url);
      cleanups.push(database.drop, () => store.close());
      await migrateToLatest(store);
      return store;
    },
    async closeAll() {
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
