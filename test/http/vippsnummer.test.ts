// A sales unit of kind Vipps-nummer takes no web payments (it cannot refund, so the law does not allow it): initiate
// answers Merchant 97 with 403 and the words the KB says the body carries, and creates nothing. In the Report API its
// ledger settles for `NO:<Vipps-nummer>` instead of `api:<MSN>`, in the ledger list and on every entry. The operator
// sets the kind (operator API, CLI) and the sandbox creates such units. Both engines.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';
import { admin } from '../support/partner-client.ts';

const DAY_MS = 86_400_000;

for (const dialect of testDialects()) {
  describe(`Vipps-nummer sales units (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect });
    });
    after(() => k?.close());

    test('initiate answers Merchant 97 (403, "Merchant Not Allowed for Ecommerce Payment") and creates no payment', async () => {
      const unit = await MerchantClient.create(k.baseUrl, { kind: 'vippsnummer', vippsNumber: '54321' });
      const refused = await unit.initiate('vippsnummer-order-1', 10_000);
      assert.equal(refused.status, 403);
      const error = vippsError(refused.body);
      assert.deepEqual([error.errorGroup, error.errorCode], ['Merchant', '97']);
      assert.match(error.errorMessage, /Merchant Not Allowed for Ecommerce Payment/);
      assert.equal((await unit.details('vippsnummer-order-1')).status, 404);
      const ledgers = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers`, { headers: await unit.authHeaders() });
      assert.deepEqual(ledgers.body.items[0].settlesForRecipientHandles, ['NO:54321']);
      const filtered = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers?settlesForRecipientHandles=NO:54321`, { headers: await unit.authHeaders() });
      assert.equal(filtered.body.items.length, 1);
      const byMsn = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers?settlesForRecipientHandles=api:${unit.msn}`, { headers: await unit.authHeaders() });
      assert.equal(byMsn.body.items.length, 0);
    });

    test('the operator turns a unit into a Vipps-nummer: initiate is refused, its entries carry NO:<number>; and back', async () => {
      const before = await MerchantClient.create(k.baseUrl);
      await before.reserved('vn-shop-order-1', 20_000);
      assert.equal((await before.capture('vn-shop-order-1', 20_000, 'cap-1')).status, 200);
      await k.advance(2 * DAY_MS);
      const unit = new MerchantClient(k.baseUrl, before.credentials); // a fresh token: the first one expired meanwhile
      const changed = await admin(k.baseUrl, 'PATCH', `/_kasse/admin/sales-units/${unit.msn}`, { kind: 'vippsnummer', vippsNumber: '77777' });
      assert.deepEqual([changed.kind, changed.vipps_number], ['vippsnummer', '77777']);
      assert.equal(vippsError((await unit.initiate('vn-shop-order-2', 1000)).body).errorCode, '97');
      const feed = await httpRequest(`${k.baseUrl}/report/v2/ledgers/${unit.msn}/funds/feed`, { headers: await unit.authHeaders() });
      assert.ok(feed.body.items.length > 0, JSON.stringify(feed.body));
      assert.deepEqual([...new Set(feed.body.items.map((e: { recipientHandle: string }) => e.recipientHandle))], ['NO:77777']);
      await admin(k.baseUrl, 'PATCH', `/_kasse/admin/sales-units/${unit.msn}`, { kind: 'ecommerce' });
      assert.equal((await unit.initiate('vn-shop-order-3', 1000)).status, 200);
      const back = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers`, { headers: await unit.authHeaders() });
      assert.deepEqual(back.body.items[0].settlesForRecipientHandles, [`api:${unit.msn}`]);
    });

    test('the operator API creates Vipps-nummer units and refuses a malformed number', async () => {
      const merchant = await admin(k.baseUrl, 'POST', '/_kasse/admin/merchants', { name: 'Kiosk AS' });
      const unit = await admin(k.baseUrl, 'POST', `/_kasse/admin/merchants/${merchant.id}/sales-units`, { name: 'Kiosk', kind: 'vippsnummer' });
      assert.deepEqual([unit.kind, unit.vipps_number], ['vippsnummer', null]);
      const bad = await httpRequest(`${k.baseUrl}/_kasse/admin/merchants/${merchant.id}/sales-units`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-admin-token' },
        body: { name: 'Kiosk 2', kind: 'vippsnummer', vippsNumber: '12ab' },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /vippsNumber/);
    });
  });
}
