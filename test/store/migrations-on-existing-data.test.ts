// Goal: migration 0005 (the ledger journal) files every ledger line of an existing database under one entry per
// payment operation, keeps every line's id, account and amount, and leaves a database reconcile finds clean, with the
// insert-only guards in place on both the lines and the entries; migration 0008 (the payment split) moves each
// payment's ecomm v2 request and user session into their own rows, and Kasse reads the payment as before; migration
// 0015 (SQLite) makes the payment id those rows' rowid and keeps the rows and the other indexes.
// Method: a database migrated to 0004 gets a payment written the way the code of that time wrote it (operation-log rows
// and their balanced lines, straight in SQL), then the remaining migrations run; both dialects.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { migrateToLatest, openStore, type Store } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { findPayment, findPaymentByLandingToken } from '../../src/store/repos/payments.ts';
import { freshDatabase, testDialects } from '../support/databases.ts';

const BEFORE_JOURNAL = '0004_card_hold_settlement_index';

async function migrateTo(store: Store, name: string): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations(store.kind) },
    migrationTableName: 'kasse_migration',
    migrationLockTableName: 'kasse_migration_lock',
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

/** A captured-and-partly-refunded payment as the code before 0005 wrote it: log rows and their lines, no entries. */
async function writeOldPayment(db: Kysely<any>): Promise<void> {
  await db.insertInto('merchant').values({ id: 'm1', name: 'Old shop', org_number: null, created_at_ms: 1 }).execute();
  await db
    .insertInto('sales_unit')
    .values({
      msn: '123456', merchant_id: 'm1', name: 'Old unit', capture_type: 'reserve', express_allowed: 0, skip_landing_page_allowed: 0,
      nin_scope_allowed: 0, rate_limits_enabled: 0, callback_max_attempts: 1, status: 'active', created_at_ms: 1, updated_at_ms: 1,
    })
    .execute();
  const payment = await db
    .insertInto('payment')
    .values({
      msn: '123456', order_id: 'old-1', state: 'reserved', amount_ore: 10_000, reserved_ore: 10_000, captured_ore: 6_000,
      refunded_ore: 1_000, released_ore: 0, version: 4, transaction_text: 'old', capture_type: 'reserve',
      payment_type: 'eComm Regular Payment', landing_token: 'tok-old-1', callback_prefix: 'http://127.0.0.1:1', fall_back: 'http://127.0.0.1:1',
      auth_token: null, is_app: 0, skip_landing_page: 0, customer_mobile: null, scope: null, user_msisdn: '48000001', card_bin: 492560,
      merchant_info_json: '{}', card_id: null, pushed_to_msisdn: null, issuer_pending_until_ms: null, shipping_options_json: null,
      shipping_json: null, user_details_json: null, sub: null, expires_at_ms: 300_000, reserved_at_ms: 2, created_at_ms: 1, updated_at_ms: 4,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const steps: Array<[string, number, Array<[string, number]>]> = [
    ['initiate', 10_000, []],
    ['reserve', 10_000, [['customer_funds', -10_000], ['reservations', 10_000]]],
    ['capture', 6_000, [['reservations', -6_000], ['merchant_payable', 6_000]]],
    ['refund', 1_000, [['merchant_payable', -1_000], ['customer_funds', 1_000]]],
  ];
  for (const [index, [kind, amountOre, lines]] of steps.entries()) {
    const operation = await db
      .insertInto('payment_operation')
      .values({ payment_id: payment.id, msn: '123456', seq: index + 1, kind, amount_ore: amountOre, transaction_text: 'old', request_id: '', created_at_ms: 10 + index, error_key: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [account, lineOre] of lines) {
      await db
        .insertInto('ledger_line')
        .values({ operation_id: operation.id, payment_id: payment.id, msn: '123456', account, amount_ore: lineOre, created_at_ms: 10 + index })
        .execute();
    }
  }
}

for (const dialect of testDialects()) {
  describe(`migrations 0005, 0008 and 0015 on an existing database (${dialect})`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    test('existing lines land under one entry per operation, unchanged, and reconcile is clean', async () => {
      const database = await freshDatabase(dialect);
      const store = await openStore(database.url);
      cleanups.push(async () => {
        await store.close();
        await database.drop();
      });
      await migrateTo(store, BEFORE_JOURNAL);
      await writeOldPayment(store.db);
      const linesBefore = await sql<{ id: number; account: string; amount_ore: number; operation_id: number }>`
        SELECT id, account, amount_ore, operation_id FROM ledger_line ORDER BY id`.execute(store.db);

      await migrateToLatest(store);

      const lines = await store.db.selectFrom('ledger_line').select(['id', 'account', 'amount_ore', 'operation_id', 'entry_id']).orderBy('id').execute();
      assert.deepEqual(
        lines.map(({ id, account, amount_ore, operation_id }) => ({ id, account, amount_ore, operation_id })),
        linesBefore.rows.map((row) => ({ ...row, id: Number(row.id), amount_ore: Number(row.amount_ore), operation_id: Number(row.operation_id) })),
      );
      const entries = await store.db.selectFrom('ledger_entry').selectAll().orderBy('id').execute();
      assert.equal(entries.length, 3, 'reserve, capture and refund each got an entry; initiate moved no money');
      for (const entry of entries) {
        assert.equal(entry.kind, 'payment_operation');
        const own = lines.filter((line) => line.entry_id === entry.id);
        assert.equal(own.length, 2);
        assert.ok(own.every((line) => line.operation_id === entry.operation_id));
      }
      const report = await reconcile(store);
      assert.deepEqual(report.violations, []);
      await assert.rejects(sql`UPDATE ledger_entry SET msn = 'x'`.execute(store.db), /insert-only/);
      const payment = await findPayment(store.db, '123456', 'old-1');
      assert.ok(payment);
      assert.deepEqual(
        [payment.landing_token, payment.callback_prefix, payment.payment_type, payment.user_msisdn, payment.captured_ore, payment.version],
        ['tok-old-1', 'http://127.0.0.1:1', 'eComm Regular Payment', '48000001', 6_000, 4],
      );
      assert.equal((await findPaymentByLandingToken(store.db, 'tok-old-1'))?.order_id, 'old-1');
      if (dialect === 'sqlite') {
        const indexes = await sql<{ name: string }>`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('ecomm_v2_request', 'payment_session') ORDER BY name`.execute(store.db);
        assert.deepEqual(indexes.rows.map((row) => row.name), ['payment_session_by_pushed_user', 'payment_session_by_token'], 'no unique index beside the rowid');
      }
      const paymentColumns = (await sql<{ name: string }>`SELECT * FROM payment`.execute(store.db)).rows[0] ?? {};
      assert.ok(!('landing_token' in paymentColumns) && !('callback_prefix' in paymentColumns), 'the core payment row holds neither');
      await assert.rejects(sql`DELETE FROM ledger_line`.execute(store.db), /insert-only/);
    });
  });
}
