// Goal: money after the payment follows the sandbox clock: captures and refunds booked per Oslo ledger date, each
// date closed at 06:00 the next day, one settlement per positive period paid at 16:00 on the 2nd bank day and
// booked by the bank two bank days later; weekends and holidays move payouts; negative balances carry forward.
// Method: scenarios on a live Kasse (SQLite and PostgreSQL), moving the clock with POST /_kasse/sandbox/clock and
// reading the Report API, the settlement list and the bank account as the merchant; reconcile is clean after each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest } from '../support/merchant-client.ts';
import { SettlementMerchant, assertBalancesChain, assertReconciled, moveTo } from './settlement-support.ts';

for (const dialect of testDialects()) {
  describe(`settlements on ${dialect}`, () => {
    let kasse: TestKasse;
    before(async () => {
      kasse = await startTestKasse({ dialect, startJobs: false }); // Monday 2026-01-05 11:00 Oslo
    });
    after(() => kasse.close());

    test('a plain week, net with fees: Monday paid Wednesday 16:00, booked Friday; Fri/Sat/Sun three settlements paid Tuesday', async () => {
      const shop = await SettlementMerchant.create(kasse, { feeBasisPoints: 175, feeFixedOre: 100 });
      const monday = await shop.sell(10_000); // fee 175 + 100
      const open = await shop.report('2026-01-05');
      assert.deepEqual(open, { tryLater: true, items: [] }, 'the day is open');

      await moveTo(kasse, '2026-01-06T05:59');
      assert.equal((await shop.report('2026-01-05')).tryLater, true, 'closes at 06:00');
      await moveTo(kasse, '2026-01-06T06:00');
      const mondayReport = await shop.report('2026-01-05');
      assert.equal(mondayReport.tryLater, false);
      assert.deepEqual(
        mondayReport.items.map((i) => [i.entryType, i.amount, i.pspReference, i.reference]),
        [
          ['capture', 10_000, monday.transactionId, monday.orderId],
          ['fees-retained', -275, `fees-${shop.msn}-2026-01-05`, `${shop.msn}-2026-01-05`],
          ['scheduled-for-payout', -9_725, mondayReport.items[2].pspReference, mondayReport.items[2].reference],
        ],
      );
      assertBalancesChain(mondayReport.items, 0);
      assert.match(mondayReport.items[0].time, /^2026-01-05T11:00:00\.\d{3}\+01:00$/);
      assert.equal(mondayReport.items[0].recipientHandle, `api:${shop.msn}`);
      const fees = await shop.report('2026-01-05', 'fees');
      assert.deepEqual(fees.items.map((i) => [i.entryType, i.amount, i.balanceAfter]), [['capture-fee', 275, 275], ['fees-retained', -275, 0]]);

      let [settlement] = await shop.settlements();
      assert.equal(settlement.payoutAmount, 9_725);
      assert.equal(settlement.status, 'scheduled');
      assert.equal(settlement.payoutAt, '2026-01-07T16:00:00.000+01:00');
      assert.equal(settlement.bankBookedAt, '2026-01-09T09:00:00.000+01:00');
      await shop.assertFiles(settlement);

      await moveTo(kasse, '2026-01-07T16:00');
      [settlement] = await shop.settlements();
      assert.equal(settlement.status, 'paid');
      let account = await shop.bankAccount();
      assert.deepEqual(account.transfers.map((t: any) => [t.amount, t.status, t.bookedAt]), [[9_725, 'paid', null]]);
      assert.equal(account.bookedBalance, 0);

      await moveTo(kasse, '2026-01-09T09:00');
      account = await shop.bankAccount();
      assert.deepEqual(account.transfers.map((t: any) => [t.amount, t.status]), [[9_725, 'booked']]);
      assert.equal(account.bookedBalance, 9_725);
      const page = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/bank-accounts/${shop.msn}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /97,25\s*kr/);
      assert.match(page.text, />booked</);

      // Friday 11:00, Saturday and Sunday: three settlements, all paid Tuesday 16:00.
      await moveTo(kasse, '2026-01-09T11:00');
      await shop.sell(1_000);
      await moveTo(kasse, '2026-01-10T11:00');
      await shop.sell(2_000);
      await moveTo(kasse, '2026-01-11T11:00');
      await shop.sell(3_000);
      await moveTo(kasse, '2026-01-12T06:00');
      const weekend = (await shop.settlements()).filter((s) => s.ledgerDateTo >= '2026-01-09');
      assert.deepEqual(
        weekend.map((s) => [s.ledgerDateFrom, s.ledgerDateTo, s.capturedAmount, s.feeAmount, s.payoutAmount, s.payoutAt]).reverse(),
        [
          ['2026-01-06', '2026-01-09', 1_000, 118, 882, '2026-01-13T16:00:00.000+01:00'],
          ['2026-01-10', '2026-01-10', 2_000, 135, 1_865, '2026-01-13T16:00:00.000+01:00'],
          ['2026-01-11', '2026-01-11', 3_000, 153, 2_847, '2026-01-13T16:00:00.000+01:00'],
        ],
      );
      await assertReconciled(kasse);
    });

    test('refunds exceeding captures: no payout, the negative balance carries forward into the next settlement', async () => {
      const shop = await SettlementMerchant.create(kasse);
      await moveTo(kasse, '2026-01-12T12:00');
      const big = await shop.sell(50_000);
      await moveTo(kasse, '2026-01-13T12:00');
      await shop.refund(big.orderId, 40_000); // day: −40 000, but Monday's 50 000 was already settled
      await shop.sell(10_000); // day balance −30 000
      await moveTo(kasse, '2026-01-14T12:00');
      await shop.sell(20_000); // running balance −10 000
      await moveTo(kasse, '2026-01-15T12:00');
      await shop.sell(25_000); // running balance +15 000
      await moveTo(kasse, '2026-01-16T06:00');
      const settlements = (await shop.settlements()).reverse();
      assert.deepEqual(
        settlements.map((s) => [s.ledgerDateFrom, s.ledgerDateTo, s.capturedAmount, s.refundedAmount, s.payoutAmount]),
        [
          ['2026-01-12', '2026-01-12', 50_000, 0, 50_000],
          ['2026-01-13', '2026-01-15', 55_000, 40_000, 15_000],
        ],
      );
      for (const settlement of settlements) await shop.assertFiles(settlement);
      const tuesday = await shop.report('2026-01-13');
      assert.deepEqual(tuesday.items.map((i) => [i.entryType, i.amount, i.balanceAfter]), [['refund', -40_000, -40_000], ['capture', 10_000, -30_000]]);
      const thursday = await shop.report('2026-01-15');
      assert.deepEqual(thursday.items.map((i) => [i.entryType, i.amount, i.balanceAfter]), [['capture', 25_000, 15_000], ['scheduled-for-payout', -15_000, 0]]);
      await assertReconciled(kasse);
    });

    test('partial captures and refunds across days, gross, monthly: one settlement for the month, fees invoiced on its last day', async () => {
      const shop = await SettlementMerchant.create(kasse, { feeBasisPoints: 100, settlementType: 'gross', payoutFrequency: 'monthly' });
      await moveTo(kasse, '2026-01-20T10:00');
      const { orderId } = await shop.sell(30_000, 10_000); // fee 100
      await moveTo(kasse, '2026-01-21T10:00');
      await shop.capture(orderId, 5_000); // fee 50
      await moveTo(kasse, '2026-01-22T10:00');
      await shop.refund(orderId, 3_000);
      await moveTo(kasse, '2026-01-28T10:00');
      await shop.capture(orderId, 15_000); // fee 150
      await moveTo(kasse, '2026-01-31T10:00');
      await shop.refund(orderId, 2_000);
      await moveTo(kasse, '2026-02-01T05:59');
      assert.deepEqual(await shop.settlements(), [], 'nothing settles before the month closes');
      await moveTo(kasse, '2026-02-01T06:00');
      const [settlement] = await shop.settlements();
      assert.deepEqual(
        [settlement.ledgerDateFrom, settlement.ledgerDateTo, settlement.capturedAmount, settlement.refundedAmount, settlement.feeAmount, settlement.payoutAmount, settlement.payoutAt],
        ['2026-01-16', '2026-01-31', 30_000, 5_000, 300, 25_000, '2026-02-03T16:00:00.000+01:00'],
      );
      const lastDay = await shop.report('2026-01-31');
      assert.deepEqual(lastDay.items.map((i) => [i.entryType, i.amount, i.balanceBefore, i.balanceAfter]), [['refund', -2_000, 27_000, 25_000], ['scheduled-for-payout', -25_000, 25_000, 0]]);
      const fees = await shop.report('2026-01-31', 'fees');
      assert.deepEqual(fees.items.map((i) => [i.entryType, i.amount, i.balanceAfter]), [['fees-invoiced', -300, 0]]);
      const middle = await shop.report('2026-01-21', 'fees');
      assert.deepEqual(middle.items.map((i) => [i.entryType, i.amount, i.balanceAfter]), [['capture-fee', 50, 150]], 'gross retains nothing daily');
      await shop.assertFiles(settlement);
      await assertReconciled(kasse);
    });

    test('Easter: Maundy Thursday to Easter Monday are not bank days; daily and weekly payouts move to Wednesday', async () => {
      const daily = await SettlementMerchant.create(kasse, { feeFixedOre: 100 });
      const weekly = await SettlementMerchant.create(kasse, { payoutFrequency: 'weekly' });
      const dailySales: Array<{ orderId: string; transactionId: string }> = [];
      const weeklySales: Array<{ orderId: string; transactionId: string }> = [];
      for (const day of ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07']) {
        await moveTo(kasse, `${day}T12:00`);
        dailySales.push(await daily.sell(1_000));
        weeklySales.push(await weekly.sell(2_000));
      }
      await moveTo(kasse, '2026-04-08T06:00');
      const paid = (await daily.settlements()).reverse().map((s) => [s.ledgerDateTo, s.payoutAmount, s.payoutAt.slice(0, 10), s.bankBookedAt.slice(0, 10)]);
      assert.deepEqual(paid, [
        ['2026-04-01', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-02', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-03', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-04', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-05', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-06', 900, '2026-04-08', '2026-04-10'],
        ['2026-04-07', 900, '2026-04-09', '2026-04-13'],
      ]);
      const [week] = await weekly.settlements();
      assert.deepEqual([week.ledgerDateTo, week.capturedAmount, week.payoutAmount, week.payoutAt], ['2026-04-05', 10_000, 10_000, '2026-04-08T16:00:00.000+02:00']);
      await moveTo(kasse, '2026-04-10T09:00');
      const account = await daily.bankAccount();
      assert.equal(account.bookedBalance, 6 * 900);
      assert.deepEqual(account.transfers.map((t: any) => t.status), ['booked', 'booked', 'booked', 'booked', 'booked', 'booked', 'paid']);
      // Every file of every settlement: one sale each for the daily unit, Wednesday to Sunday for the weekly one.
      const dailySettlements = (await daily.settlements()).reverse();
      for (const [i, settlement] of dailySettlements.entries()) await daily.assertFiles(settlement, [dailySales[i]!]);
      await weekly.assertFiles(week, weeklySales.slice(0, 5));
      await assertReconciled(kasse);
    });

    test('Christmas: 24–27 December and New Year’s Eve are not bank days', async () => {
      const shop = await SettlementMerchant.create(kasse, { feeBasisPoints: 250 });
      const sales: Array<{ orderId: string; transactionId: string }> = [];
      for (const day of ['2026-12-23', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28']) {
        await moveTo(kasse, `${day}T20:00`);
        sales.push(await shop.sell(4_000)); // fee 100
      }
      await moveTo(kasse, '2026-12-29T06:00');
      const paid = (await shop.settlements()).reverse().map((s) => [s.ledgerDateTo, s.payoutAmount, s.payoutAt.slice(0, 10), s.bankBookedAt.slice(0, 10)]);
      assert.deepEqual(paid, [
        ['2026-12-23', 3_900, '2026-12-29', '2027-01-04'],
        ['2026-12-24', 3_900, '2026-12-29', '2027-01-04'],
        ['2026-12-25', 3_900, '2026-12-29', '2027-01-04'],
        ['2026-12-26', 3_900, '2026-12-29', '2027-01-04'],
        ['2026-12-27', 3_900, '2026-12-29', '2027-01-04'],
        ['2026-12-28', 3_900, '2026-12-30', '2027-01-05'],
      ]);
      const feed = await shop.get(`/report/v2/ledgers/${shop.msn}/funds/feed?pageSize=5`);
      assert.equal(feed.status, 200, feed.text);
      assert.equal(feed.body.items.length, 5);
      assert.equal(feed.body.tryLater, false);
      const rest = await shop.get(`/report/v2/ledgers/${shop.msn}/funds/feed?cursor=${feed.body.cursor}`);
      assert.equal(rest.body.tryLater, true, 'the end of the feed');
      assertBalancesChain([...feed.body.items, ...rest.body.items], 0);
      assert.equal(feed.body.items.length + rest.body.items.length, 6 * 3);
      const settlements = (await shop.settlements()).reverse();
      for (const [i, settlement] of settlements.entries()) await shop.assertFiles(settlement, [sales[i]!]);
      await assertReconciled(kasse);
    });
  });
}
