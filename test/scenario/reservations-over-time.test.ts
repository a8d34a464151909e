// Goal: the bank's side of a reservation follows the sandbox clock: holds lapse after the bank's hold period
// (Vipps keeps the payment RESERVED), a later capture is a new request to the bank, partial captures release
// the rest when the bank settles them, refunds arrive after bank days. Method: scenarios on a live Kasse,
// moving the fake clock with the sandbox endpoint and reading card balances from the sandbox user API. On both engines:
// on PostgreSQL an approval's debit and a capture's charge of its hold go with the COMMIT, unanswered, and a
// transaction whose guess was wrong (no funds, no live hold) runs again deciding on the answers (store/write-guard.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';

const DAY_MS = 24 * 3_600_000;
let kasse: TestKasse;

let userCounter = 0;
async function userWithCard(card: { bankId: string; availableOre: number }, on: TestKasse = kasse): Promise<string> {
  const msisdn = String(47200000 + ++userCounter);
  const created = await httpRequest(`${on.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body: { msisdn, cards: [card] } });
  assert.equal(created.status, 201, created.text);
  return msisdn;
}

async function balanceOre(msisdn: string, on: TestKasse = kasse): Promise<number> {
  return (await httpRequest(`${on.baseUrl}/_kasse/sandbox/users/${msisdn}`)).body.cards[0].availableOre;
}

/** Move the server's clock as a merchant would, through the sandbox endpoint. */
async function tick(ms: number): Promise<void> {
  const moved = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: ms } });
  assert.equal(moved.status, 200, moved.text);
}

let orderCounter = 0;
async function reserve(msisdn: string, amountOre: number, on: TestKasse = kasse): Promise<{ merchant: MerchantClient; orderId: string }> {
  const merchant = await MerchantClient.create(on.baseUrl);
  const orderId = `time-${++orderCounter}`;
  const initiated = await merchant.initiate(orderId, amountOre);
  const approved = await merchant.approve(orderId, initiated.body.url, msisdn);
  assert.equal(approved.status, 200, approved.text);
  return { merchant, orderId };
}

for (const dialect of testDialects()) {
  describe(dialect, () => {
    before(async () => {
      kasse = await startTestKasse({ dialect }); // Monday 2026-01-05 10:00 UTC
    });
    after(() => kasse.close());

    test('an approval the card cannot pay is a failed RESERVE: nothing held, nothing debited, no guard row kept', async () => {
      const msisdn = await userWithCard({ bankId: 'dnb', availableOre: 10_000 });
      const merchant = await MerchantClient.create(kasse.baseUrl);
      const orderId = `time-${++orderCounter}`;
      const initiated = await merchant.initiate(orderId, 30_000);
      await merchant.approve(orderId, initiated.body.url, msisdn);
      const details = await merchant.details(orderId);
      assert.deepEqual(
        [details.body.transactionLogHistory[0].operation, details.body.transactionLogHistory[0].operationSuccess],
        ['RESERVE', false],
      );
      assert.equal(await balanceOre(msisdn), 10_000);
      const { db } = kasse.kasse.ctx.store;
      const payment = await db.selectFrom('payment').select('id').where('order_id', '=', orderId).executeTakeFirstOrThrow();
      assert.deepEqual(await db.selectFrom('card_hold').select('id').where('payment_id', '=', payment.id).execute(), []);
      assert.deepEqual(await db.selectFrom('write_guard').selectAll().execute(), []);
    });

    test('a hold lapses after the bank’s hold period; the payment stays RESERVED; a capture with funds re-charges the card', async () => {
      const msisdn = await userWithCard({ bankId: 'dnb', availableOre: 50_000 }); // DNB holds for 7 days
      const { merchant, orderId } = await reserve(msisdn, 30_000);
      assert.equal(await balanceOre(msisdn), 20_000);
      await tick(7 * DAY_MS - 60_000);
      assert.equal(await balanceOre(msisdn), 20_000, 'still held a minute before the hold period ends');
      await tick(60_000);
      assert.equal(await balanceOre(msisdn), 50_000, 'the funds are back on the card');
      const fresh = new MerchantClient(kasse.baseUrl, merchant.credentials);
      assert.equal((await fresh.status(orderId)).body.transactionInfo.status, 'RESERVE');
      const captured = await fresh.capture(orderId, 30_000, 'late-capture');
      assert.equal(captured.status, 200, captured.text);
      assert.equal(await balanceOre(msisdn), 20_000, 'the new request charged the card');
    });

    test('a capture that finds its hold past the lapse time, before any job lapsed it, lapses it and asks the bank anew', async () => {
      const quiet = await startTestKasse({ dialect: kasse.dialect, startJobs: false });
      try {
        const msisdn = await userWithCard({ bankId: 'dnb', availableOre: 50_000 }, quiet);
        const { merchant, orderId } = await reserve(msisdn, 30_000, quiet);
        quiet.clock.advance(7 * DAY_MS);
        assert.equal(await balanceOre(msisdn, quiet), 20_000, 'no job ran: the hold still keeps the money');
        const fresh = new MerchantClient(quiet.baseUrl, merchant.credentials); // the access token expired meanwhile
        const captured = await fresh.capture(orderId, 30_000, 'at-the-lapse');
        assert.equal(captured.status, 200, captured.text);
        const holds = await quiet.kasse.ctx.store.db.selectFrom('card_hold').select(['status', 'captured_ore']).execute();
        assert.deepEqual(holds, [{ status: 'lapsed', captured_ore: 0 }], 'the hold lapsed instead of paying the capture');
        assert.equal(await balanceOre(msisdn, quiet), 20_000, 'the lapse gave 30 000 back, the new request charged 30 000');
      } finally {
        await quiet.close();
      }
    });

    test('a capture after the lapse fails with Payment 63 when the funds are gone; the payment stays reserved', async () => {
      const msisdn = await userWithCard({ bankId: 'dnb', availableOre: 30_000 });
      const first = await reserve(msisdn, 30_000);
      await tick(8 * DAY_MS);
      await reserve(msisdn, 30_000); // the user spends the returned money elsewhere
      const merchant = new MerchantClient(kasse.baseUrl, first.merchant.credentials);
      const refused = await merchant.capture(first.orderId, null, 'no-funds');
      assert.equal(refused.status, 400);
      assert.deepEqual([vippsError(refused.body).errorGroup, vippsError(refused.body).errorCode], ['Payment', '63']);
      const details = await merchant.details(first.orderId);
      assert.deepEqual(
        [details.body.transactionLogHistory[0].operation, details.body.transactionLogHistory[0].operationSuccess],
        ['CAPTURE', false],
      );
      assert.equal(details.body.transactionSummary.remainingAmountToCapture, 30_000);
      assert.equal(await balanceOre(msisdn), 0);
    });

    test('at a force-through bank a capture after the lapse goes through into a negative balance', async () => {
      const msisdn = await userWithCard({ bankId: 'tvangsbanken', availableOre: 30_000 });
      const first = await reserve(msisdn, 30_000);
      await tick(8 * DAY_MS);
      await reserve(msisdn, 30_000);
      const merchant = new MerchantClient(kasse.baseUrl, first.merchant.credentials);
      const captured = await merchant.capture(first.orderId, null, 'forced');
      assert.equal(captured.status, 200, captured.text);
      assert.equal(await balanceOre(msisdn), -30_000);
    });

    test('a partial capture releases the rest when the bank settles it two bank days later', async () => {
      // Wednesday 10:00 UTC → settles at the start of Friday (Oslo), two bank days later.
      const msisdn = await userWithCard({ bankId: 'sparebank1', availableOre: 100_000 }); // 30-day holds
      const now = new Date(kasse.clock.nowMs());
      const toWednesday = ((3 - now.getUTCDay() + 7) % 7) * DAY_MS;
      await tick(toWednesday);
      const { merchant, orderId } = await reserve(msisdn, 40_000);
      assert.equal((await merchant.capture(orderId, 10_000, 'part-1')).status, 200);
      assert.equal(await balanceOre(msisdn), 60_000);
      await tick(DAY_MS);
      assert.equal(await balanceOre(msisdn), 60_000, 'one bank day later the rest is still held');
      await tick(DAY_MS);
      assert.equal(await balanceOre(msisdn), 90_000, 'settled: the 30 000 not captured is back');
      const fresh = new MerchantClient(kasse.baseUrl, merchant.credentials);
      assert.equal((await fresh.capture(orderId, 30_000, 'part-2')).status, 200, 'Vipps still shows it reserved: a new bank request');
      assert.equal(await balanceOre(msisdn), 60_000);
    });

    test('a refund reaches the card after the bank’s refund delay in bank days', async () => {
      const msisdn = await userWithCard({ bankId: 'nordea', availableOre: 50_000 }); // refunds arrive after 3 bank days
      const { merchant, orderId } = await reserve(msisdn, 20_000);
      assert.equal((await merchant.capture(orderId, null, 'all')).status, 200);
      assert.equal((await merchant.refund(orderId, 5_000, 'r1')).status, 200);
      assert.equal(await balanceOre(msisdn), 30_000);
      await tick(5 * DAY_MS); // at least three bank days whatever the weekday
      assert.equal(await balanceOre(msisdn), 35_000);
    });

    test('a cancelled reservation gives the money back at once', async () => {
      const msisdn = await userWithCard({ bankId: 'dnb', availableOre: 50_000 });
      const { merchant, orderId } = await reserve(msisdn, 20_000);
      assert.equal(await balanceOre(msisdn), 30_000);
      assert.equal((await merchant.cancel(orderId)).status, 200);
      assert.equal(await balanceOre(msisdn), 50_000);
    });
  });
}
