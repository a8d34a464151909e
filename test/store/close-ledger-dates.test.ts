// Goal: closing ledger dates in batches (up to a month of one sales unit per transaction, several units side by side,
// quiet dates skipping the bookings' statements) writes exactly what closing them one date per transaction writes,
// and two passes racing each other close every date once.
// Method: two Kasses on the same fake days with the same merchants and sales; one is drained after every day (one
// date per transaction), the other once at the end (batches); their report entries and settlements, with the
// generated ids and merchant numbers taken out, are equal. Then two closing passes run at once on one Kasse.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeDueLedgerDates } from '../../src/core/settlements/close-ledger-dates.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { SettlementMerchant, type Terms } from '../scenario/settlement-support.ts';

const DAY_MS = 86_400_000;
const TERMS: Terms[] = [
  { feeBasisPoints: 175, feeFixedOre: 100, settlementType: 'net', payoutFrequency: 'daily' },
  { feeBasisPoints: 250, settlementType: 'gross', payoutFrequency: 'monthly' },
  { feeFixedOre: 50, settlementType: 'net', payoutFrequency: 'weekly' },
  {},
  { settlementType: 'gross', payoutFrequency: 'weekly' },
];
/** On these days (counted from the epoch) every merchant sells; on the others nothing happens. */
const SALE_DAYS = [0, 1, 4, 11, 12, 33, 47, 48, 62];
const DAYS = 75;

/** The merchants' sales over DAYS days; `eachDay` runs after every day's sales (and the clock's move to the next day). */
async function sellOverDays(kasse: TestKasse, eachDay: () => Promise<void>): Promise<SettlementMerchant[]> {
  const shops = [];
  for (const terms of TERMS) shops.push(await SettlementMerchant.create(kasse, terms));
  for (let day = 0; day < DAYS; day++) {
    if (SALE_DAYS.includes(day)) {
      for (const [i, shop] of shops.entries()) {
        const { orderId } = await shop.sell(10_000 + 1_000 * i + day, 6_000 + day);
        if (day % 2 === 1) await shop.refund(orderId, 500 + i);
      }
    }
    kasse.clock.advance(DAY_MS);
    await eachDay();
  }
  return shops;
}

/** Each merchant's report entries and settlements in its own order, with what differs between two databases replaced. */
async function writtenBy(kasse: TestKasse, shops: SettlementMerchant[]) {
  const db = kasse.kasse.store.db;
  const result = [];
  for (const [i, shop] of shops.entries()) {
    const settlements = await db.selectFrom('settlement').selectAll().where('msn', '=', shop.msn).orderBy('id').execute();
    const ordinal = new Map(settlements.map((s, n) => [String(s.id), `settlement#${n}`]));
    // A payout's reference is its settlement's id, its pspReference `settlement-<id>`.
    const neutral = (text: string | null) =>
      text === null ? null : text.replaceAll(shop.msn, `msn#${i}`).replace(/^(settlement-)?(\d+)$/, (_, prefix = '', id) => `${prefix}${ordinal.get(id) ?? id}`);
    const entries = await db.selectFrom('report_entry').selectAll().where('msn', '=', shop.msn).orderBy('id').execute();
    result.push({
      entries: entries.map(({ id: _id, msn: _msn, operation_id: _op, settlement_id, psp_reference, reference, ...rest }) => ({
        ...rest,
        settlement: settlement_id === null ? null : ordinal.get(String(settlement_id)),
        psp_reference: neutral(psp_reference),
        reference: neutral(reference),
      })),
      settlements: settlements.map(({ id: _id, msn: _msn, ...rest }) => rest),
    });
  }
  return result;
}

for (const dialect of testDialects()) {
  describe(`closing ledger dates in batches on ${dialect}`, () => {
    let daily: TestKasse;
    let batched: TestKasse;
    before(async () => {
      [daily, batched] = await Promise.all([startTestKasse({ dialect, startJobs: false }), startTestKasse({ dialect, startJobs: false })]);
    });
    after(() => Promise.all([daily.close(), batched.close()]));

    test('dates closed a month per transaction, units side by side, write what dates closed one by one write', async () => {
      const dailyShops = await sellOverDays(daily, () => daily.advance(0));
      const batchedShops = await sellOverDays(batched, async () => {});
      await batched.advance(0);

      const expected = await writtenBy(daily, dailyShops);
      assert.ok(expected.every((shop) => shop.settlements.length > 0 && shop.entries.length > 0), 'every merchant was settled');
      assert.deepEqual(await writtenBy(batched, batchedShops), expected);
      const closes = await batched.kasse.store.db.selectFrom('ledger_date_close').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(closes.n), TERMS.length * DAYS, 'every date of every unit closed once');
    });

    test('two passes at once close every due date exactly once between them', async () => {
      const shops = [await SettlementMerchant.create(batched), await SettlementMerchant.create(batched)];
      await shops[0]!.sell(20_000);
      batched.clock.advance(40 * DAY_MS);
      const before = await batched.kasse.store.db.selectFrom('report_entry').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const [first, second] = await Promise.all([closeDueLedgerDates(batched.kasse.ctx), closeDueLedgerDates(batched.kasse.ctx)]);
      const closedNow = await batched.kasse.store.db
        .selectFrom('ledger_date_close')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('closed_at_ms', '=', batched.clock.nowMs())
        .executeTakeFirstOrThrow();
      assert.equal(first + second, Number(closedNow.n), 'the passes report what they closed');
      // Every unit, old and new, had the 40 dates since the clock's last stop due.
      assert.equal(Number(closedNow.n), TERMS.length * 40 + shops.length * 40);
      const after = await batched.kasse.store.db.selectFrom('report_entry').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.ok(Number(after.n) > Number(before.n), 'the sale was reported');
      assert.equal(await closeDueLedgerDates(batched.kasse.ctx), 0, 'nothing is left');
    });
  });
}
