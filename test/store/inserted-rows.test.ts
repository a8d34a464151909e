// Property: what an insert hands back is the row as stored. A new payment is written with its INITIATE operation, on
// PostgreSQL in one statement without a transaction (Store.atomicWrite). On SQLite a new payment's core row, an operation and its
// ledger entry's id come from the connection's last rowid instead of RETURNING (store/prepared.ts, insertedRowId), so
// the row is put together from what was inserted; it must equal the row read back, column for column, on both engines.
// An operation's changed payment and its row are computed from the payment as locked, not read back (SQLite: no
// RETURNING; PostgreSQL: one statement that goes out with the COMMIT); for every kind they must equal the rows stored,
// and a guard that does not hold, in the row given or in the row stored, writes nothing.
// An idempotency key is claimed once (counted instead of RETURNING): a second claim of the same key is refused.
// Method: a fresh migrated database per dialect; each insert in a transaction, then the same rows read back.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { postingsFor } from '../../src/domain/ledger.ts';
import type { OperationKind } from '../../src/domain/payment-states.ts';
import type { Store } from '../../src/store/db.ts';
import type { ApprovalFacts } from '../../src/store/guarded-update.ts';
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

    /** The id an operation gets: PostgreSQL draws it from the sequence (as the locked read does), SQLite on insert. */
    const operationIdFor = async (s: Store) =>
      s.kind === 'postgres' ? Number((await sql<{ id: string }>`SELECT nextval('payment_operation_id_seq') AS id`.execute(s.db)).rows[0]!.id) : null;

    /** Applies `kind` to the payment as stored, then checks what came back against what was stored. */
    async function applyAndCompare(s: Store, orderId: string, kind: OperationKind, amountOre: number, nowMs: number, approval?: ApprovalFacts) {
      const before = await s.db.selectFrom('payment').selectAll().where('order_id', '=', orderId).executeTakeFirstOrThrow();
      const operationId = await operationIdFor(s);
      const lines = postingsFor(kind, amountOre);
      const write = { before, operationId, kind, amountOre, nowMs, transactionText: 'Socks', requestId: `r-${kind}`, errorKey: null, lines, ...(approval ? { approval } : {}) };
      const written = await s.transact((trx) => applyOperationWithEntry(trx, s.kind, write));
      const storedPayment = await s.db.selectFrom('payment').selectAll().where('id', '=', before.id).executeTakeFirst();
      assert.deepEqual(written.changed, storedPayment, `${kind}: the changed payment handed back is the row stored`);
      assert.equal(written.changed.version, before.version + 1);
      const stored = await s.db.selectFrom('payment_operation').selectAll().where('id', '=', written.operation.id).executeTakeFirst();
      assert.deepEqual(written.operation, stored, `${kind}: the operation handed back is the row stored`);
      assert.equal(written.operation.seq, written.changed.version);
      const entries = await s.db.selectFrom('ledger_entry').selectAll().where('operation_id', '=', written.operation.id).execute();
      assert.equal(entries.length, lines.length === 0 ? 0 : 1);
      const storedLines = await s.db.selectFrom('ledger_line').select(['entry_id', 'account', 'amount_ore']).where('operation_id', '=', written.operation.id).orderBy('id').execute();
      assert.deepEqual(
        storedLines.map(({ account, amount_ore }) => ({ account, amountOre: amount_ore })),
        lines.map(({ account, amountOre }) => ({ account, amountOre })),
      );
      assert.ok(storedLines.every((line) => line.entry_id === entries[0]!.id));
      return written;
    }

    test('every kind of operation: the changed payment and the operation handed back are the rows stored, the lines point at the entry', async () => {
      const s = await store();
      const approval = { userMsisdn: '4791234567', cardBin: 492500, cardId: 'card-1', userDetailsJson: '{"firstName":"Ada"}', sub: 'sub-1' };
      const scenarios: Array<{ kind: OperationKind; amountOre: number; approval?: ApprovalFacts; late?: boolean }>[] = [
        [{ kind: 'reserve', amountOre: 4200, approval }, { kind: 'capture', amountOre: 1000 }, { kind: 'capture', amountOre: 3200 }, { kind: 'refund', amountOre: 500 }],
        [{ kind: 'reserve', amountOre: 4200, approval }, { kind: 'capture_failed', amountOre: 4200 }, { kind: 'capture', amountOre: 200 }, { kind: 'release', amountOre: 4000 }],
        [{ kind: 'reserve', amountOre: 4200, approval }, { kind: 'void', amountOre: 4200 }],
        [{ kind: 'sale', amountOre: 4200, approval }, { kind: 'refund', amountOre: 4200 }],
        [{ kind: 'reserve_failed', amountOre: 4200, approval }],
        [{ kind: 'sale_failed', amountOre: 4200 }],
        [{ kind: 'merchant_cancel', amountOre: 0 }],
        [{ kind: 'user_cancel', amountOre: 0 }],
        [{ kind: 'timeout', amountOre: 0, late: true }],
      ];
      for (const [i, steps] of scenarios.entries()) {
        const orderId = `order-kinds-${i}`;
        assert.ok(await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment(orderId), INITIATE)));
        for (const [j, step] of steps.entries()) {
          const nowMs = step.late ? NOW_MS + 600_000 : NOW_MS + 1 + j;
          await applyAndCompare(s, orderId, step.kind, step.amountOre, nowMs, step.approval);
        }
      }
    });

    test('an operation whose guard does not hold is refused and writes nothing, whether the row given or the row stored says so', async () => {
      const s = await store();
      const payment = await s.atomicWrite((db) => insertPayment(db, s.kind, newPayment('order-5'), INITIATE));
      assert.ok(payment);
      const count = async (table: 'payment_operation' | 'ledger_entry' | 'ledger_line') =>
        Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const counts = async () => ({ operations: await count('payment_operation'), entries: await count('ledger_entry'), lines: await count('ledger_line') });
      const before = await counts();
      const capture = { kind: 'capture' as const, amountOre: 100, nowMs: NOW_MS + 1, transactionText: 'Socks', requestId: 'r', errorKey: null, lines: postingsFor('capture', 100) };
      const stored = await s.db.selectFrom('payment').selectAll().where('id', '=', payment.id).executeTakeFirstOrThrow();
      // A capture of a payment that was never reserved: the row given says so.
      await assert.rejects(s.transact(async (trx) => applyOperationWithEntry(trx, s.kind, { ...capture, before: stored, operationId: await operationIdFor(s) })), /would match no row/);
      // A row given that says reserved while the stored one is not: the UPDATE's own guard matches nothing (SQLite: its
      // count; PostgreSQL: the operation's seq is NULL and the statement, sent with the COMMIT, fails).
      const forged = { ...stored, state: 'reserved' as const, reserved_ore: 4200 };
      await assert.rejects(
        s.transact(async (trx) => applyOperationWithEntry(trx, s.kind, { ...capture, before: forged, operationId: await operationIdFor(s) })),
        s.kind === 'postgres' ? /null value in column "seq"/ : /matched 0 rows/,
      );
      assert.deepEqual(await counts(), before);
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
