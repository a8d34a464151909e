// Property: what an insert hands back is the row as stored. A new payment is written with its INITIATE operation, on
// PostgreSQL in one statement without a transaction (Store.atomicWrite). On SQLite a new payment's core row, an operation and its
// ledger entry's id come from the connection's last rowid instead of RETURNING (store/prepared.ts, insertedRowId), so
// the row is put together from what was inserted; it must equal the row read back, column for column, on both engines.
// On PostgreSQL an operation is one statement (the payment's guarded UPDATE, the operation, its entry and lines): the
// changed payment and the operation come back from it, and a guard that matches nothing writes nothing.
// An idempotency key is claimed once (counted instead of RETURNING): a second claim of the same key is refused.
// Method: a fresh migrated database per dialect; each insert in a transaction, then the same rows read back.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { postingsFor } from '../../src/domain/ledger.ts';
import { claimIdempotencyKey } from '../../src/store/repos/idempotency.ts';
import { applyOperationWithEntry } from '../../src/store/repos/operation-write.ts';
import { findPayment, insertPayment } from '../../src/store/repos/payments.ts';
import { testDialects } from '../support/databases.ts';
import { migratedStores } from './support.ts';

const NOW_MS = 1_796_000_000_000;

const INITIATE = { seq: 1, kind: 'initiate' as const, amount_ore: 4200, transaction_text: 'Socks', request_id: '', created_at_ms: NOW_MS, error_key: null };

function newPayment(orderId: string) {
  return {
    msn: '123456',
    order_id: orderId,
    state: 'initiated' as const,
    amount_ore: 4200,
    reserved_ore: 0,
    captured_ore: 0,
    refunded_ore: 0,
    released_ore: 0,
    version: 1,
    transaction_text: 'Socks',
    capture_type: 'reserve' as const,
    payment_type: 'eComm Regular Payment',
    landing_token: `token-${orderId}`,
    callback_prefix: 'https://example.com/callbacks',
    fall_back: 'https://example.com/back',
    auth_token: null,
    is_app: 0,
    skip_landing_page: 0,
    customer_mobile: null,
    pushed_to_msisdn: null,
    scope: 'name email',
    user_msisdn: null,
    card_bin: null,
    merchant_info_json: '{}',
    expires_at_ms: NOW_MS + 300_000,
    reserved_at_ms: null,
    created_at_ms: NOW_MS,
    updated_at_ms: NOW_MS,
  };
}

for (const dialect of await testDialects()) {
  describe(`inserted rows (${dialect})`, () => {
    const stores = migratedStores(dialect);
    after(() => stores.closeAll());
    const store = () => stores.open();

    test('a new payment with its INITIATE: the row handed back is the row stored; a second one of the same order writes nothing', async () => {
      const s = await store();
      const inserted = await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-1'), INITIATE));
      assert.ok(inserted);
      assert.deepEqual(inserted, await findPayment(s.db, '123456', 'order-1'));
      const operations = await s.db.selectFrom('payment_operation').selectAll().where('payment_id', '=', inserted.id).execute();
      assert.deepEqual(operations.map(({ id: _id, ...operation }) => operation), [{ ...INITIATE, payment_id: inserted.id, msn: '123456' }]);
      assert.equal(await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-1'), INITIATE)), undefined);
      const all = await s.db.selectFrom('payment_operation').select('payment_id').execute();
      assert.deepEqual(all, [{ payment_id: inserted.id }], 'the refused duplicate wrote no operation');
      const second = await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-2'), INITIATE));
      assert.ok(second && second.id !== inserted.id);
    });

    test('an operation whole: the changed payment and the operation handed back are the rows stored, the lines point at the entry', async () => {
      const s = await store();
      const payment = await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-3'), INITIATE));
      assert.ok(payment);
      const reserve = { paymentId: payment.id, kind: 'reserve' as const, amountOre: 4200, nowMs: NOW_MS + 1, transactionText: 'Socks', requestId: '', errorKey: null };
      const approval = { userMsisdn: '4791234567', cardBin: 492500, cardId: 'card-1' };
      const written = await s.transact((trx) => applyOperationWithEntry(trx, s.kind, { ...reserve, approval, lines: postingsFor('reserve', 4200) }));
      assert.ok(written);
      const storedPayment = await s.db.selectFrom('payment').selectAll().where('id', '=', payment.id).executeTakeFirst();
      assert.deepEqual(written.changed, storedPayment);
      assert.equal(written.changed.version, payment.version + 1);
      assert.equal(written.changed.user_msisdn, approval.userMsisdn);
      const stored = await s.db.selectFrom('payment_operation').selectAll().where('id', '=', written.operation.id).executeTakeFirst();
      assert.deepEqual(written.operation, stored);
      assert.equal(written.operation.seq, written.changed.version);
      const entries = await s.db.selectFrom('ledger_entry').selectAll().where('operation_id', '=', written.operation.id).execute();
      assert.equal(entries.length, 1);
      const lines = await s.db.selectFrom('ledger_line').select(['entry_id', 'amount_ore']).where('operation_id', '=', written.operation.id).execute();
      assert.equal(lines.length, 2);
      assert.ok(lines.every((line) => line.entry_id === entries[0]!.id));
      assert.equal(lines.reduce((sum, line) => sum + line.amount_ore, 0), 0);
    });

    test('an operation whose guard matches no row writes nothing and hands back nothing', async () => {
      const s = await store();
      const payment = await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-5'), INITIATE));
      assert.ok(payment);
      const count = async (table: 'payment_operation' | 'ledger_entry' | 'ledger_line') =>
        Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = { operations: await count('payment_operation'), entries: await count('ledger_entry'), lines: await count('ledger_line') };
      // A capture of a payment that was never reserved: the guard (state reserved, enough left) matches nothing.
      const capture = { paymentId: payment.id, kind: 'capture' as const, amountOre: 100, nowMs: NOW_MS + 1, transactionText: 'Socks', requestId: 'r', errorKey: null };
      assert.equal(await s.transact((trx) => applyOperationWithEntry(trx, s.kind, { ...capture, lines: postingsFor('capture', 100) })), undefined);
      assert.deepEqual({ operations: await count('payment_operation'), entries: await count('ledger_entry'), lines: await count('ledger_line') }, before);
      assert.equal((await findPayment(s.db, '123456', 'order-5'))?.version, payment.version);
    });

    test('an idempotency key is claimed once', async () => {
      const s = await store();
      const scope = { msn: '123456', orderId: 'order-4', operation: 'capture', requestId: 'req-1' };
      assert.equal(await s.transact((trx) => claimIdempotencyKey(trx, scope, 'ab'.repeat(32), NOW_MS)), true);
      assert.equal(await s.transact((trx) => claimIdempotencyKey(trx, scope, 'ab'.repeat(32), NOW_MS)), false);
      assert.equal(await s.transact((trx) => claimIdempotencyKey(trx, { ...scope, requestId: 'req-2' }, 'ab'.repeat(32), NOW_MS)), true);
    });
  });
}
