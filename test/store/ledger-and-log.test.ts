// Goal: the engine itself keeps the ledger and the operation log honest (L1, L2, L3, P1, P4) and survives migrations and sandbox reset. Method: a mixed workload over real HTTP per dialect, then direct writes through Kysely and raw SQL, and whole-database sums.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { replayMatchesRow } from '../../src/core/payments/details.ts';
import { USER_ACTION_TIMEOUT_MS } from '../../src/domain/payment.ts';
import { postingsFor } from '../../src/domain/ledger.ts';
import type { OperationKind } from '../../src/domain/payment-states.ts';
import { migrateToLatest, type Db } from '../../src/store/db.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { ledgerBalances, paymentRow } from './support.ts';
import { seededUsers } from '../../src/core/sandbox/fixtures.ts';

/** Every kind of money movement and every way a payment ends, on a reserve and a direct-capture unit. */
async function mixedWorkload(k: TestKasse): Promise<{ reserve: MerchantClient; direct: MerchantClient }> {
  const reserve = await MerchantClient.create(k.baseUrl);
  const direct = await MerchantClient.create(k.baseUrl, { captureType: 'direct' });
  const ok = (r: { status: number; text: string }) => assert.equal(r.status, 200, r.text);
  // Expired first: the clock move rejects every payment still waiting for its user.
  ok(await reserve.initiate('w-expired', 4000));
  await k.advance(USER_ACTION_TIMEOUT_MS + 1);

  await reserve.reserved('w-open', 10000);
  await reserve.reserved('w-partial', 10000);
  ok(await reserve.capture('w-partial', 3000));
  await reserve.reserved('w-full', 10000);
  ok(await reserve.capture('w-full', null));
  ok(await reserve.refund('w-full', 2500));
  ok(await reserve.refund('w-full', 2500));
  await reserve.reserved('w-void', 5000);
  ok(await reserve.cancel('w-void'));
  await reserve.reserved('w-release', 8000);
  ok(await reserve.capture('w-release', 3000));
  ok(await reserve.cancel('w-release', true));
  ok(await reserve.refund('w-release', 1000));
  const userCancel = await reserve.initiate('w-user-cancel', 2000);
  ok(userCancel);
  ok(await httpRequest(`${k.baseUrl}/_kasse/landing/${MerchantClient.tokenOf(userCancel.body.url)}/cancel`, { method: 'POST' }));
  ok(await reserve.initiate('w-merchant-cancel', 2000));
  ok(await reserve.cancel('w-merchant-cancel'));
  ok(await reserve.initiate('w-waiting', 2000));

  await direct.reserved('w-sale', 7000);
  await direct.reserved('w-sale-refunded', 6000);
  ok(await direct.refund('w-sale-refunded', null));
  return { reserve, direct };
}

const MONEY_KINDS: readonly OperationKind[] = ['reserve', 'sale', 'capture', 'void', 'release', 'refund'];

async function allPayments(db: Db) {
  return db.selectFrom('payment').selectAll().orderBy('id').execute();
}

async function tableCounts(db: Db, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0]?.n ?? -1);
  }
  return counts;
}

const KASSE_INTERNAL_TABLES = new Set(['kasse_meta', 'kasse_migration', 'kasse_migration_lock']);

async function dataTables(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((name) => !KASSE_INTERNAL_TABLES.has(name)).sort();
}

/** The four ways to rewrite history, each of which the engine must refuse (L2). */
function historyRewrites(db: Db, table: 'ledger_line' | 'payment_operation') {
  return {
    'Kysely UPDATE': () => db.updateTable(table).set({ amount_ore: 1 }).execute(),
    'Kysely DELETE': () => db.deleteFrom(table).execute(),
    'raw SQL UPDATE': () => sql`UPDATE ${sql.table(table)} SET amount_ore = amount_ore + 1`.execute(db),
    'raw SQL DELETE': () => sql`DELETE FROM ${sql.table(table)} WHERE id IN (SELECT id FROM ${sql.table(table)} LIMIT 1)`.execute(db),
  };
}

async function assertInsertOnly(db: Db): Promise<void> {
  for (const table of ['ledger_line', 'payment_operation'] as const) {
    const before = await db.selectFrom(table).selectAll().orderBy('id').execute();
    assert.ok(before.length > 0, `${table} has rows to protect`);
    for (const [how, rewrite] of Object.entries(historyRewrites(db, table))) {
      await assert.rejects(rewrite, /insert-only/, `${how} on ${table} must be refused`);
    }
    assert.deepEqual(await db.selectFrom(table).selectAll().orderBy('id').execute(), before, `${table} unchanged`);
  }
}

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let db: Db;
    let reserve: MerchantClient;
    before(async () => {
      k = await startTestKasse({ dialect });
      db = k.kasse.store.db;
      ({ reserve } = await mixedWorkload(k));
    });
    after(() => k.close());

    test('ledger_line and payment_operation refuse UPDATE and DELETE through Kysely and raw SQL', async () => {
      await assertInsertOnly(db);
    });

    test('CHECK constraints refuse captured > reserved, refunded > captured and negative amounts written directly', async () => {
      const open = await paymentRow(db, reserve.msn, 'w-open');
      const partial = await paymentRow(db, reserve.msn, 'w-partial');
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['captured > reserved', () => db.updateTable('payment').set({ captured_ore: sql`reserved_ore + 1` }).where('id', '=', open.id).execute()],
        ['captured + released > reserved', () => db.updateTable('payment').set({ released_ore: sql`reserved_ore - captured_ore + 1` }).where('id', '=', partial.id).execute()],
        ['refunded > captured', () => db.updateTable('payment').set({ refunded_ore: sql`captured_ore + 1` }).where('id', '=', partial.id).execute()],
        ['refund without capture (raw SQL)', () => sql`UPDATE payment SET refunded_ore = 100 WHERE id = ${open.id}`.execute(db)],
        ['negative captured', () => db.updateTable('payment').set({ captured_ore: -1 }).where('id', '=', open.id).execute()],
        [
          'a new row captured > reserved',
          () =>
            db
              .insertInto('payment')
              .values({ ...open, id: undefined, order_id: 'w-forged', reserved_ore: 1000, captured_ore: 2000 } as never)
              .execute(),
        ],
      ];
      for (const [what, write] of attempts) await assert.rejects(write, /check constraint/i, `${what} must be refused`);
      assert.deepEqual(await paymentRow(db, reserve.msn, 'w-open'), open);
      assert.deepEqual(await paymentRow(db, reserve.msn, 'w-partial'), partial);
    });

    test('every ledger entry balances, money operations and only they write one, and all balances sum to 0', async () => {
      const lines = await db.selectFrom('ledger_line').selectAll().execute();
      const operations = await db.selectFrom('payment_operation').selectAll().execute();
      const byOperation = new Map<number, number[]>();
      for (const line of lines) {
        assert.ok(line.operation_id !== null, 'every entry here is a payment operation\'s');
        byOperation.set(line.operation_id, [...(byOperation.get(line.operation_id) ?? []), Number(line.amount_ore)]);
      }
      for (const op of operations) {
        const amounts = byOperation.get(op.id) ?? [];
        assert.equal(amounts.length > 0, MONEY_KINDS.includes(op.kind), `${op.kind} (operation ${op.id}) writes an entry iff it moves money`);
        assert.equal(amounts.reduce((a, b) => a + b, 0), 0, `entry of operation ${op.id} (${op.kind}) balances`);
        assert.deepEqual(amounts.sort((a, b) => a - b), postingsFor(op.kind, op.amount_ore).map((l) => l.amountOre).sort((a, b) => a - b));
      }
      assert.equal(byOperation.size, operations.filter((op) => MONEY_KINDS.includes(op.kind)).length, 'no ledger line without its operation');
      assert.equal(lines.reduce((sum, l) => sum + Number(l.amount_ore), 0), 0, 'grand total');
      assert.ok(byOperation.size >= 15, `the workload wrote ${byOperation.size} entries`);
    });

    test('reservations balance = Σ(reserved − captured − released); merchant_payable = Σ(captured − refunded), in total and per payment', async () => {
      const payments = await allPayments(db);
      const totals = await ledgerBalances(db);
      const sum = (f: (p: (typeof payments)[number]) => number) => payments.reduce((a, p) => a + f(p), 0);
      const openReservations = sum((p) => p.reserved_ore - p.captured_ore - p.released_ore);
      assert.ok(openReservations > 0, 'the workload leaves reservations open');
      assert.equal(totals.reservations, openReservations);
      assert.equal(totals.merchant_payable, sum((p) => p.captured_ore - p.refunded_ore));
      assert.equal(totals.customer_funds, sum((p) => p.released_ore + p.refunded_ore - p.reserved_ore));
      for (const p of payments) {
        const own = await ledgerBalances(db, p.id);
        assert.equal(own.reservations ?? 0, p.reserved_ore - p.captured_ore - p.released_ore, `${p.order_id} reservations`);
        assert.equal(own.merchant_payable ?? 0, p.captured_ore - p.refunded_ore, `${p.order_id} merchant_payable`);
      }
    });

    test("replaying each payment's operation log reproduces its row, and a tampered row is caught", async () => {
      const payments = await allPayments(db);
      assert.deepEqual(new Set(payments.map((p) => p.state)), new Set(['initiated', 'reserved', 'captured', 'voided', 'cancelled', 'rejected']));
      for (const p of payments) assert.ok(await replayMatchesRow(db, p.msn, p.order_id), `replay of ${p.order_id}`);
      // Negative control: the oracle notices a row that no longer matches its log.
      const full = await paymentRow(db, reserve.msn, 'w-full');
      await db.updateTable('payment').set({ refunded_ore: full.refunded_ore - 100 }).where('id', '=', full.id).execute();
      try {
        assert.equal(await replayMatchesRow(db, full.msn, full.order_id), false);
      } finally {
        await db.updateTable('payment').set({ refunded_ore: full.refunded_ore }).where('id', '=', full.id).execute();
      }
      assert.ok(await replayMatchesRow(db, full.msn, full.order_id));
    });

    test('running the migrations again is a no-op: same migrations, tables and data', async () => {
      // API calls are recorded in buffered batches: write what is buffered now, so no flush lands between the counts.
      await k.kasse.apiCalls?.flush();
      const tables = await dataTables(db);
      const migrationsBefore = await db.selectFrom('kasse_migration' as never).selectAll().execute();
      const countsBefore = await tableCounts(db, tables);
      await migrateToLatest(k.kasse.store);
      await migrateToLatest(k.kasse.store);
      assert.deepEqual(await db.selectFrom('kasse_migration' as never).selectAll().execute(), migrationsBefore);
      assert.deepEqual(await dataTables(db), tables);
      assert.deepEqual(await tableCounts(db, tables), countsBefore);
      await assertInsertOnly(db);
    });
  });

  describe(`${dialect}: sandbox reset`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect });
    });
    after(() => k.close());

    test('POST /_kasse/sandbox/reset empties every data table but the re-seeded fixtures; Kasse keeps working and the ledger stays insert-only', async () => {
      await mixedWorkload(k);
      const db = k.kasse.store.db;
      const tables = await dataTables(db);
      const before = await tableCounts(db, tables);
      assert.ok((before.payment ?? 0) > 0 && (before.ledger_line ?? 0) > 0 && (before.callback_attempt ?? 0) >= 0);
      const reset = await httpRequest(`${k.baseUrl}/_kasse/sandbox/reset`, { method: 'POST' });
      assert.equal(reset.status, 200, reset.text);
      const counts = await tableCounts(db, tables);
      // The sandbox fixtures (banks, seeded users with their cards, addresses and PINs) are seeded again right after the
      // reset; the operators' audit log is no sandbox data and outlives it (test/http/audit-log.test.ts).
      const fixtures = new Set(['bank', 'test_user', 'card', 'user_address', 'app_user_pin', 'audit_log']);
      assert.deepEqual(
        Object.entries(counts).filter(([table, n]) => n !== 0 && !fixtures.has(table)),
        [],
        'every data table is empty after reset',
      );
      assert.equal(counts.test_user, seededUsers(k.clock.nowMs()).length, 'only the seeded users are left');
      const seeded = new Set(seededUsers(k.clock.nowMs()).map((u) => u.msisdn));
      for (const table of ['card', 'user_address'] as const) {
        const owners = await db.selectFrom(table).select('msisdn').execute();
        assert.ok(owners.every((o) => seeded.has(o.msisdn)), `every ${table} left belongs to a seeded user`);
      }
      // Business as usual afterwards, with fresh merchants.
      const m = await MerchantClient.create(k.baseUrl);
      await m.reserved('after-reset', 5000);
      assert.equal((await m.capture('after-reset', 2000)).status, 200);
      assert.equal((await m.refund('after-reset', 500)).status, 200);
      const details = await m.details('after-reset');
      assert.equal(details.status, 200, details.text);
      assert.deepEqual(
        details.body.transactionLogHistory.map((e: { operation: string }) => e.operation),
        ['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE'],
      );
      assert.ok(await replayMatchesRow(db, m.msn, 'after-reset'));
      await assertInsertOnly(db);
      // A second reset in a row works too (the guards are dropped and recreated again on SQLite).
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/sandbox/reset`, { method: 'POST' })).status, 200);
      await MerchantClient.create(k.baseUrl).then((again) => again.reserved('after-second-reset', 1000));
      await assertInsertOnly(db);
    });
  });
}
