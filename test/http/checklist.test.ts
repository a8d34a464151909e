// The integration checklist, graded from recorded traffic and the database: a merchant script integrates step by
// step and GET /_kasse/checklist turns each item from not_exercised to met as the step that proves it is done (with
// the calls that prove it). A second, careless integration (no Vipps-System-* headers, digits-only orderIds, a partial
// capture without X-Request-Id, callbacks answered 500) sees those items not_met. Both engines.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, WellBehavedClient, httpRequest } from '../support/merchant-client.ts';

const MINUTE_MS = 60_000;

type Statuses = Record<string, string>;

async function checklist(merchant: MerchantClient) {
  const result = await httpRequest(`${merchant.baseUrl}/_kasse/checklist`, { headers: await merchant.authHeaders() });
  assert.equal(result.status, 200, result.text);
  return result.body as { merchantSerialNumber: string; summary: Record<string, number>; items: Array<{ id: string; status: string; detail: string; evidence: any[]; link: string; howTo: string }> };
}

async function statuses(merchant: MerchantClient): Promise<Statuses> {
  return Object.fromEntries((await checklist(merchant)).items.map((i) => [i.id, i.status]));
}

for (const dialect of testDialects()) {
  describe(`integration checklist (${dialect})`, () => {
    let k: TestKasse;
    let shopServer: CallbackReceiver;
    before(async () => {
      k = await startTestKasse({ dialect });
      shopServer = await new CallbackReceiver().start();
      shopServer.behave = (request) => {
        if (request.url.startsWith('/careless')) return { status: 500 };
        if (!request.url.endsWith('/shippingDetails')) return {};
        const shippingDetails = [{ isDefault: 'Y', priority: 1, shippingCost: 0, shippingMethod: 'Store', shippingMethodId: 'store' }];
        return { body: { addressId: (request.body as { addressId: number }).addressId, orderId: 'x', shippingDetails } };
      };
    });
    after(async () => {
      await shopServer?.close();
      await k?.close();
    });

    test('a scripted integration turns the items met one by one', async () => {
      const shop = new WellBehavedClient(k.baseUrl, (await MerchantClient.create(k.baseUrl)).credentials);
      const withCallbacks = { merchantInfo: { callbackPrefix: `${shopServer.url}/shop` } };
      let before = await statuses(shop);
      assert.deepEqual(new Set(Object.values(before)), new Set(['not_exercised']));
      const changedSince = async (): Promise<Statuses> => {
        const now = await statuses(shop);
        const changed = Object.fromEntries(Object.entries(now).filter(([id, s]) => before[id] !== s));
        before = now;
        return changed;
      };

      // 1. Initiate and approve: a RESERVED callback answered 200; orderIds with a shop prefix; the headers.
      const first = await shop.initiate('acme-order-2001', 10_000, withCallbacks);
      await shop.approve('acme-order-2001', first.body.url);
      await k.kasse.jobs.drain();
      assert.deepEqual(await changedSince(), { 'all-endpoints': 'not_met', 'useful-order-ids': 'met', 'vipps-system-headers': 'met' });

      // 2. Partial capture, then partial refund, each with X-Request-Id.
      assert.equal((await shop.capture('acme-order-2001', 4_000, 'acme-cap-1')).status, 200);
      assert.deepEqual(await changedSince(), { 'partial-capture-with-request-id': 'met' });
      assert.equal((await shop.refund('acme-order-2001', 1_000, 'acme-ref-1')).status, 200);
      assert.deepEqual(await changedSince(), { 'partial-refund-with-request-id': 'met', 'order-ending-in-refund': 'met' });

      // 3. Cancel a reserved order: it ends in VOID.
      const second = await shop.initiate('acme-order-2002', 5_000, withCallbacks);
      await shop.approve('acme-order-2002', second.body.url);
      assert.equal((await shop.cancel('acme-order-2002')).status, 200);
      assert.deepEqual(await changedSince(), { 'order-ending-in-void': 'met' });

      // 4. Details: now every endpoint was used.
      assert.equal((await shop.details('acme-order-2001')).status, 200);
      assert.deepEqual(await changedSince(), { 'all-endpoints': 'met' });

      // 5. A payment nobody approves times out: the REJECTED callback is answered 200 as well.
      await shop.initiate('acme-order-2003', 5_000, withCallbacks);
      await k.advance(6 * MINUTE_MS);
      assert.deepEqual(await changedSince(), { 'callbacks-answered-2xx': 'met' });

      // 6. A callback that does not come (a sandbox fault drops it): not met until details are fetched after it.
      await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults`, { method: 'POST', body: { merchantSerialNumber: shop.msn, kind: 'drop_callbacks', count: 1 } });
      const fourth = await shop.initiate('acme-order-2004', 5_000, withCallbacks);
      await shop.approve('acme-order-2004', fourth.body.url);
      await k.kasse.jobs.drain();
      assert.deepEqual(await changedSince(), { 'details-when-callback-missing': 'not_met' });
      assert.equal((await shop.details('acme-order-2004')).status, 200);
      assert.deepEqual(await changedSince(), { 'details-when-callback-missing': 'met' });

      // 7. Express with a shipping-details endpoint that answers at once.
      const express = await shop.initiate('acme-order-2005', 5_000, {
        merchantInfo: {
          ...withCallbacks.merchantInfo,
          paymentType: 'eComm Express Payment',
          consentRemovalPrefix: `${shopServer.url}/consents`,
          shippingDetailsPrefix: `${shopServer.url}/ship`,
        },
      });
      assert.equal((await shop.approve('acme-order-2005', express.body.url)).status, 200);
      assert.deepEqual(await changedSince(), { 'express-shipping-details-in-time': 'met' });

      const final = await checklist(shop);
      assert.deepEqual(final.summary, { met: 10, notMet: 0, notExercised: 0 });
      const proof = final.items.find((i) => i.id === 'details-when-callback-missing')!;
      assert.deepEqual(proof.evidence.map((e) => [e.kind, e.route, e.orderId]), [['api_call', '/ecomm/v2/payments/:orderId/details', 'acme-order-2004']]);
      assert.ok(final.items.every((i) => i.link.startsWith('https://developer.vippsmobilepay.com/') && i.howTo.length > 0));
    });

    test('a careless integration sees what is not met, and why', async () => {
      const careless = await MerchantClient.create(k.baseUrl);
      const initiated = await careless.initiate('12345', 10_000, { merchantInfo: { callbackPrefix: `${shopServer.url}/careless` } });
      await careless.approve('12345', initiated.body.url);
      await k.kasse.jobs.drain();
      assert.equal((await careless.capture('12345', 2_000)).status, 200);
      const graded = await checklist(careless);
      const byId = Object.fromEntries(graded.items.map((i) => [i.id, i]));
      for (const id of ['vipps-system-headers', 'useful-order-ids', 'partial-capture-with-request-id', 'callbacks-answered-2xx']) {
        assert.equal(byId[id]!.status, 'not_met', `${id}: ${byId[id]!.detail}`);
      }
      assert.deepEqual(byId['useful-order-ids']!.evidence, [{ kind: 'order_id', orderId: '12345' }]);
      assert.equal(byId['partial-capture-with-request-id']!.evidence[0].requestId, null);
      assert.equal(byId['callbacks-answered-2xx']!.evidence[0].httpStatus, 500);
      // Another merchant's checklist is its own: nothing of this one shows there.
      const other = await MerchantClient.create(k.baseUrl);
      assert.deepEqual(new Set((await checklist(other)).items.map((i) => i.status)), new Set(['not_exercised']));
    });
  });
}
