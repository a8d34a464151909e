// Property: a refund's money is due on the card at the start of the bank day its bank's refund delay names, whether the
// refund came with an X-Request-Id (its card's bank is read with the payment's locked read: one round trip on
// PostgreSQL) or without one (the bank step reads it).
// Method: two captured payments on a Nordea card (3 bank days) on each engine, one refunded with a key and one
// without, on Monday 2026-01-05 10:00 UTC; both credits are due Thursday 2026-01-08 00:00 Oslo time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

const MSISDN = '47300001';
const DUE_MS = Date.parse('2026-01-07T23:00:00Z');

for (const dialect of testDialects()) {
  describe(`a refund's arrival on the card (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
      const created = await httpRequest(`${k.baseUrl}/_kasse/sandbox/users`, {
        method: 'POST',
        body: { msisdn: MSISDN, cards: [{ bankId: 'nordea', availableOre: 100_000 }] },
      });
      assert.equal(created.status, 201, created.text);
    });
    after(() => k?.close());

    test('with and without an X-Request-Id, the credit is due three bank days on, at the Oslo midnight', async () => {
      assert.equal(new Date(k.kasse.ctx.clock.nowMs()).toISOString(), '2026-01-05T10:00:00.000Z');
      const merchant = await MerchantClient.create(k.baseUrl);
      for (const [orderId, requestId] of [['with-key', 'refund-1'], ['without-key', undefined]] as const) {
        const initiated = await merchant.initiate(orderId, 20_000);
        assert.equal((await merchant.approve(orderId, initiated.body.url, MSISDN)).status, 200);
        assert.equal((await merchant.capture(orderId, null, `capture-${orderId}`)).status, 200);
        const refunded = await merchant.refund(orderId, 5_000, requestId);
        assert.equal(refunded.status, 200, refunded.text);
      }
      const credits = await k.kasse.store.db
        .selectFrom('card_credit')
        .innerJoin('payment', 'payment.id', 'card_credit.payment_id')
        .select(['payment.order_id', 'card_credit.due_at_ms', 'card_credit.amount_ore'])
        .orderBy('payment.order_id')
        .execute();
      assert.deepEqual(credits, [
        { order_id: 'with-key', due_at_ms: DUE_MS, amount_ore: 5_000 },
        { order_id: 'without-key', due_at_ms: DUE_MS, amount_ore: 5_000 },
      ]);
    });
  });
}
