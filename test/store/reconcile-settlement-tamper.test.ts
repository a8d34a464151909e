// Goal: reconcile's settlement checks (L6–L8) catch the violations they exist for. Method: per dialect and tamper, a
// clean database (a sales unit with fees: two captures and a refund, one settled and bank-booked, one open date;
// reconcile clean), one tamper in SQL behind Kasse's back, then reconcile must name exactly the expected invariants.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import type { Db } from '../../src/store/db.ts';
import type { DialectKind } from '../../src/store/dialect.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse } from '../support/harness.ts';
import { SettlementMerchant, moveTo } from '../scenario/settlement-support.ts';
import { dropTrigger, withoutInsertOnlyGuards } from './tamper.ts';

interface Tamper {
  bug: string;
  names: string[];
  apply(db: Db, msn: string, kind: DialectKind): Promise<void>;
}

const TAMPERS: Tamper[] = [
  {
    bug: 'a capture was never booked for settlement (its booking lost)',
    names: ['L6', 'L7', 'L8'],
    apply: async (db, msn, kind) => {
      const first = await db.selectFrom('settlement_booking').select('id').where('msn', '=', msn).orderBy('id').executeTakeFirstOrThrow();
      await withoutInsertOnlyGuards(db, kind, 'settlement_booking', () => db.deleteFrom('settlement_booking').where('id', '=', first.id).execute().then(() => {}));
    },
  },
  {
    bug: 'a booking on the open date whose amount differs from its capture',
    names: ['L6', 'L8'],
    apply: async (db, msn, kind) => {
      const last = await db.selectFrom('settlement_booking').select('id').where('msn', '=', msn).orderBy('id', 'desc').executeTakeFirstOrThrow();
      await withoutInsertOnlyGuards(db, kind, 'settlement_booking', async () => {
        await db.updateTable('settlement_booking').set({ amount_ore: sql`amount_ore + 1` }).where('id', '=', last.id).execute();
      });
    },
  },
  {
    bug: 'a settlement pays one øre more than its bookings owe',
    names: ['L7', 'L8'],
    apply: async (db, msn, kind) => {
      await withoutInsertOnlyGuards(db, kind, 'settlement', async () => {
        await db.updateTable('settlement').set({ payout_ore: sql`payout_ore + 1` }).where('msn', '=', msn).execute();
      });
    },
  },
  {
    bug: 'a second settlement covering ledger dates already settled',
    names: ['L7', 'L8'],
    apply: async (db, msn) => {
      const s = await db.selectFrom('settlement').selectAll().where('msn', '=', msn).executeTakeFirstOrThrow();
      const { id: _id, ...copy } = s;
      await db.insertInto('settlement').values({ ...copy, ledger_date_to: '2026-01-06' }).execute();
    },
  },
  {
    bug: 'a migration that dropped the insert-only trigger of the settlements',
    names: ['L2'],
    apply: async (db, _msn, kind) => {
      await dropTrigger(db, kind, 'settlement', 'settlement_no_update');
    },
  },
  {
    bug: 'a balanced posting paid the merchant’s bank straight from its payable, outside any settlement',
    names: ['L8'],
    apply: async (db, msn) => {
      const { id } = await db.insertInto('ledger_entry').values({ msn, kind: 'standalone', operation_id: null, payment_id: null, settlement_id: null, created_at_ms: 0 }).returning('id').executeTakeFirstOrThrow();
      await db
        .insertInto('ledger_line')
        .values([
          { entry_id: id, operation_id: null, payment_id: null, msn, account: 'merchant_payable', amount_ore: -500, created_at_ms: 0 },
          { entry_id: id, operation_id: null, payment_id: null, msn, account: 'merchant_bank', amount_ore: 500, created_at_ms: 0 },
        ])
        .execute();
    },
  },
];

for (const dialect of testDialects()) {
  describe(`settlement reconcile checks on ${dialect}`, () => {
    for (const tamper of TAMPERS) {
      test(`${tamper.names.join('+')}: ${tamper.bug}`, async () => {
        const kasse = await startTestKasse({ dialect, startJobs: false });
        try {
          const shop = await SettlementMerchant.create(kasse, { feeBasisPoints: 200, feeFixedOre: 50 });
          const sold = await shop.sell(10_000);
          await shop.refund(sold.orderId, 1_000);
          await moveTo(kasse, '2026-01-09T10:00'); // Monday's settlement paid Wednesday, bank-booked Friday 09:00
          await shop.sell(4_000); // Friday: open
          assert.deepEqual((await reconcile(kasse.kasse.store)).violations, [], 'clean before the tamper');
          await tamper.apply(kasse.kasse.store.db, shop.msn, kasse.kasse.store.kind);
          const report = await reconcile(kasse.kasse.store);
          assert.deepEqual([...new Set(report.violations.map((v) => v.invariant))].sort(), tamper.names, JSON.stringify(report.violations));
        } finally {
          await kasse.close();
        }
      });
    }
  });
}
