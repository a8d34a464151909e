// Goal: every check of `kasse reconcile` catches the violation it exists for: for each one, a database tampered the way a
// bug would leave it is reported with exactly the invariants that tamper breaks, and nothing else.
// Method: per check and dialect, a clean database (a small workload over HTTP, callbacks delivered and dead, reconcile
// clean), then one tamper in SQL behind Kasse's back (lifting the constraint or trigger that would refuse it), then
// reconcile. Background jobs are off so that nothing repairs or races the tampered rows; callbacks are drained by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import type { OperationKind } from '../../src/domain/payment-states.ts';
import type { DialectKind } from '../../src/store/dialect.ts';
import type { Db } from '../../src/store/db.ts';
import type { PaymentCoreRow } from '../../src/store/schema.ts';
import { testDialects } from '../support/databases.ts';
import { startKasseWithReceiver } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { paymentRow } from './support.ts';
import { dropConstraint, dropTrigger } from './tamper.ts';

interface World {
  db: Db;
  kind: DialectKind;
  /** Reserved 10 000, captured 6 000 (X-Request-Id cap-1), refunded 1 000; its callbacks were delivered. */
  paid: PaymentCoreRow;
  /** Initiated only: one operation-log row, no ledger lines. */
  initiated: PaymentCoreRow;
  deliveredOutboxId: number;
  /** Its one attempt found no merchant server (connection refused), so the row is dead. */
  deadOutboxId: number;
}

interface Tamper {
  /** The check that must fire. */
  invariant: string;
  bug: string;
  /** Every invariant the report must name, when the tamper necessarily breaks more than one. */
  names?: string[];
  /** A tamper only one engine can suffer. */
  only?: DialectKind;
  apply(world: World): Promise<void>;
}

async function lastOperationId(db: Db, paymentId: number, kind: OperationKind): Promise<number> {
  const op = await db.selectFrom('payment_operation').select('id').where('payment_id', '=', paymentId).where('kind', '=', kind).orderBy('seq', 'desc').executeTakeFirstOrThrow();
  return op.id;
}

async function entryIdOf(db: Db, operationId: number): Promise<number> {
  const entry = await db.selectFrom('ledger_entry').select('id').where('operation_id', '=', operationId).executeTakeFirstOrThrow();
  return entry.id;
}

async function outboxIdOf(db: Db, msn: string, orderId: string): Promise<number> {
  const row = await db.selectFrom('outbox').select('id').where('msn', '=', msn).where('order_id', '=', orderId).orderBy('id').executeTakeFirstOrThrow();
  return row.id;
}

async function attempt(db: Db, outboxId: number, msn: string, attemptNo: number, httpStatus: number): Promise<void> {
  await db
    .insertInto('callback_attempt')
    .values({ outbox_id: outboxId, msn, attempt_no: attemptNo, started_at_ms: 0, latency_ms: 1, http_status: httpStatus, response_excerpt: null, error: null })
    .execute();
}

const TAMPERS: Tamper[] = [
  {
    invariant: 'P1',
    bug: 'an over-refund written through the whole pipeline (log, ledger, row) without its guard',
    // Replaying the log re-checks P1 at every step, so the log no longer replays either; the refund written behind
    // the pipeline has no settlement booking (L6), and the merchant's payable no longer matches its bookings (L8).
    names: ['L6', 'L8', 'P1', 'P4'],
    async apply({ db, kind, paid }) {
      await dropConstraint(db, kind, 'payment', 'payment_refund_within_capture');
      const overRefundOre = paid.captured_ore - paid.refunded_ore + 100;
      const op = await db
        .insertInto('payment_operation')
        .values({ payment_id: paid.id, msn: paid.msn, seq: paid.version + 1, kind: 'refund', amount_ore: overRefundOre, transaction_text: 'bug', request_id: 'bug', created_at_ms: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const entry = await db
        .insertInto('ledger_entry')
        .values({ msn: paid.msn, kind: 'payment_operation', operation_id: op.id, payment_id: paid.id, settlement_id: null, created_at_ms: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('ledger_line')
        .values([
          { entry_id: entry.id, operation_id: op.id, payment_id: paid.id, msn: paid.msn, account: 'merchant_payable', amount_ore: -overRefundOre, created_at_ms: 0 },
          { entry_id: entry.id, operation_id: op.id, payment_id: paid.id, msn: paid.msn, account: 'customer_funds', amount_ore: overRefundOre, created_at_ms: 0 },
        ])
        .execute();
      await db
        .updateTable('payment')
        .set({ refunded_ore: sql`refunded_ore + ${overRefundOre}`, version: sql`version + 1` })
        .where('id', '=', paid.id)
        .execute();
    },
  },
  {
    invariant: 'P3',
    bug: 'the row moved to a new version without its operation-log row',
    async apply({ db, paid }) {
      await db.updateTable('payment').set({ version: sql`version + 1` }).where('id', '=', paid.id).execute();
    },
  },
  {
    invariant: 'P3',
    bug: 'a second payment with the same (msn, orderId), with its own initiate row',
    async apply({ db, kind, initiated }) {
      await dropConstraint(db, kind, 'payment', 'payment_order_per_msn');
      const { id: _id, ...copy } = initiated;
      const twin = await db.insertInto('payment').values(copy).returning('id').executeTakeFirstOrThrow();
      await db
        .insertInto('payment_operation')
        .values({ payment_id: twin.id, msn: copy.msn, seq: 1, kind: 'initiate', amount_ore: copy.amount_ore, transaction_text: 'bug', request_id: 'bug', created_at_ms: 0 })
        .execute();
    },
  },
  {
    invariant: 'P4',
    bug: 'the order amount on the row changed behind the log',
    async apply({ db, paid }) {
      await db.updateTable('payment').set({ amount_ore: sql`amount_ore + 100` }).where('id', '=', paid.id).execute();
    },
  },
  {
    invariant: 'P5',
    bug: 'an idempotency key committed without its outcome',
    async apply({ db, paid }) {
      await db.updateTable('idempotency_key').set({ outcome_json: null }).where('msn', '=', paid.msn).where('request_id', '=', 'cap-1').execute();
    },
  },
  {
    invariant: 'L1',
    bug: 'a ledger line without its counter-leg',
    // The stray line lands on the fees account, which then differs from the fees of the settlements (L8).
    names: ['L1', 'L8'],
    async apply({ db, paid }) {
      const captureId = await lastOperationId(db, paid.id, 'capture');
      await db.insertInto('ledger_line').values({ entry_id: await entryIdOf(db, captureId), operation_id: captureId, payment_id: paid.id, msn: paid.msn, account: 'fees', amount_ore: 1, created_at_ms: 0 }).execute();
    },
  },
  {
    invariant: 'L5',
    bug: "a line filed under another operation's entry",
    async apply({ db, paid }) {
      const captureId = await lastOperationId(db, paid.id, 'capture');
      const reserveEntry = await entryIdOf(db, await lastOperationId(db, paid.id, 'reserve'));
      await db
        .insertInto('ledger_line')
        .values([
          { entry_id: reserveEntry, operation_id: captureId, payment_id: paid.id, msn: paid.msn, account: 'reservations', amount_ore: -1, created_at_ms: 0 },
          { entry_id: reserveEntry, operation_id: captureId, payment_id: paid.id, msn: paid.msn, account: 'reservations', amount_ore: 1, created_at_ms: 0 },
        ])
        .execute();
    },
  },
  {
    invariant: 'L2',
    bug: 'a migration that dropped an insert-only trigger',
    async apply({ db, kind }) {
      await dropTrigger(db, kind, 'ledger_line', 'ledger_line_no_delete');
    },
  },
  {
    invariant: 'L2',
    bug: 'an insert-only trigger switched off (kept, but disabled)',
    only: 'postgres',
    async apply({ db }) {
      await sql`ALTER TABLE payment_operation DISABLE TRIGGER payment_operation_no_update`.execute(db);
    },
  },
  {
    invariant: 'L3',
    bug: 'a balanced posting that moved money between the wrong accounts',
    // The merchant's payable then differs from its bookings too (L8).
    names: ['L3', 'L8'],
    async apply({ db, paid }) {
      const captureId = await lastOperationId(db, paid.id, 'capture');
      await db
        .insertInto('ledger_line')
        .values([
          { entry_id: await entryIdOf(db, captureId), operation_id: captureId, payment_id: paid.id, msn: paid.msn, account: 'reservations', amount_ore: -1, created_at_ms: 0 },
          { entry_id: await entryIdOf(db, captureId), operation_id: captureId, payment_id: paid.id, msn: paid.msn, account: 'merchant_payable', amount_ore: 1, created_at_ms: 0 },
        ])
        .execute();
    },
  },
  {
    invariant: 'O2',
    bug: 'a dead callback sent once more, past its bound of attempts',
    async apply({ db, kind, paid, deadOutboxId }) {
      await dropConstraint(db, kind, 'outbox', 'outbox_attempts_bounded');
      await attempt(db, deadOutboxId, paid.msn, 2, 500);
      await db.updateTable('outbox').set({ attempts: 2 }).where('id', '=', deadOutboxId).execute();
    },
  },
  {
    invariant: 'O2',
    bug: 'a callback whose attempts are used up, left pending',
    async apply({ db, deadOutboxId }) {
      await db.updateTable('outbox').set({ state: 'pending' }).where('id', '=', deadOutboxId).execute();
    },
  },
  {
    invariant: 'O2',
    bug: 'a callback given up before its attempts were used',
    async apply({ db, deadOutboxId }) {
      await db.updateTable('outbox').set({ max_attempts: 3 }).where('id', '=', deadOutboxId).execute();
    },
  },
  {
    invariant: 'O2',
    bug: 'a callback marked delivered without a 2xx answer',
    async apply({ db, deliveredOutboxId }) {
      await db.updateTable('callback_attempt').set({ http_status: 500 }).where('outbox_id', '=', deliveredOutboxId).execute();
    },
  },
  {
    invariant: 'O3',
    bug: 'a delivered callback sent again',
    async apply({ db, paid, deliveredOutboxId }) {
      await attempt(db, deliveredOutboxId, paid.msn, 2, 200);
    },
  },
];

for (const dialect of testDialects()) {
  describe(`every reconcile check fires on its tamper, on ${dialect}`, () => {
    for (const tamper of TAMPERS.filter((t) => !t.only || t.only === dialect)) {
      test(`${tamper.invariant}: ${tamper.bug}`, async () => {
        const { k, receiver, close } = await startKasseWithReceiver({ dialect, startJobs: false });
        try {
          const merchant = await MerchantClient.create(k.baseUrl);
          const initiated = await merchant.initiate('paid', 10_000, { merchantInfo: { callbackPrefix: receiver.url } });
          assert.equal((await merchant.approve('paid', initiated.body.url)).status, 200);
          assert.equal((await merchant.capture('paid', 6_000, 'cap-1')).status, 200);
          assert.equal((await merchant.refund('paid', 1_000, 'ref-1')).status, 200);
          await merchant.reserved('unheard', 5_000);
          assert.equal((await merchant.initiate('initiated', 3_000)).status, 200);
          await k.advance(0);

          const { db } = k.kasse.store;
          const world: World = {
            db,
            kind: k.kasse.store.kind,
            paid: await paymentRow(db, merchant.msn, 'paid'),
            initiated: await paymentRow(db, merchant.msn, 'initiated'),
            deliveredOutboxId: await outboxIdOf(db, merchant.msn, 'paid'),
            deadOutboxId: await outboxIdOf(db, merchant.msn, 'unheard'),
          };
          const states = await db.selectFrom('outbox').select(['id', 'state']).where('id', 'in', [world.deliveredOutboxId, world.deadOutboxId]).execute();
          assert.deepEqual(Object.fromEntries(states.map((r) => [r.id, r.state])), { [world.deliveredOutboxId]: 'delivered', [world.deadOutboxId]: 'dead' });
          assert.deepEqual((await reconcile(k.kasse.store)).violations, [], 'the database is clean before the tamper');

          await tamper.apply(world);
          const report = await reconcile(k.kasse.store);
          assert.equal(report.ok, false);
          const named = [...new Set(report.violations.map((v) => v.invariant))].sort();
          assert.deepEqual(named, tamper.names ?? [tamper.invariant], JSON.stringify(report.violations));
          assert.ok(report.violations.every((v) => v.subject.length > 0 && v.detail.length > 0));
        } finally {
          await close();
        }
      });
    }
  });
}
