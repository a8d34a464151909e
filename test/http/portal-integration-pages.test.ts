// Goal: the portal's API dashboard and integration checklist for a merchant with two sales units: the calls of both,
// newest first, 50 a page with an "older" link that continues where the page ended; the sales-unit filter keeps one
// unit's calls; the checklist shows the first unit unless another is chosen, and offers the choice. Method: a real
// Kasse; the second sales unit made with the operator API, its key created in the portal; pages read as HTML.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin } from '../support/partner-client.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { issuedKeyOn } from '../support/issued-key.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { PortalSession } from '../support/portal-client.ts';

/** The recorded calls a page lists, as "METHOD /path", in the page's order. */
function callsOn(html: string): string[] {
  return [...html.matchAll(/<a class="method"[^>]*>([A-Z]+)<\/a> <span class="mono call-path">([^<]+)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`);
}

function hrefOf(html: string, testId: string): string | null {
  const href = new RegExp(`<a href="([^"]+)" data-testid="${testId}"`).exec(html)?.[1];
  return href === undefined ? null : href.replaceAll('&amp;', '&');
}

describe('the portal API dashboard and checklist with two sales units', () => {
  let k: TestKasse;
  let web: MerchantClient;
  let kiosk: MerchantClient;
  let session: PortalSession;

  before(async () => {
    k = await startTestKasse();
    web = await MerchantClient.create(k.baseUrl, { name: 'Tosidig AS' });
    const merchants = await admin<{ id: string; salesUnits: { msn: string }[] }[]>(k.baseUrl, 'GET', '/_kasse/admin/merchants');
    const merchant = merchants.find((m) => m.salesUnits.some((u) => u.msn === web.msn));
    assert.ok(merchant, 'the sandbox merchant is listed');
    const unit = await admin<{ msn: string }>(k.baseUrl, 'POST', `/_kasse/admin/merchants/${merchant.id}/sales-units`, { name: 'Tosidig kiosk', rateLimits: false });
    session = await PortalSession.logIn(k.baseUrl, web.credentials.portalEmail, web.credentials.portalPassword);
    const created = await session.post(`/portal/sales-units/${unit.msn}/keys`);
    assert.equal(created.status, 303, created.text);
    const issued = issuedKeyOn((await session.get(created.location!)).text);
    assert.ok(issued, 'the page the form redirects to shows the new key');
    kiosk = new MerchantClient(k.baseUrl, { ...web.credentials, merchantSerialNumber: unit.msn, ...issued });
    // 51 calls of the web shop, then one of the kiosk (newest).
    for (let n = 1; n <= 51; n++) assert.equal((await web.details(`tosidig-web-${n}`)).status, 404);
    assert.equal((await kiosk.initiate('tosidig-kiosk-1', 2_500)).status, 200);
  });
  after(() => k.close());

  test('all sales units, newest first, 50 a page; "older" continues where the page ended', async () => {
    const first = await session.get('/portal/api-calls');
    assert.equal(first.status, 200);
    assert.match(first.text, /data-testid="filter-msn"/, 'several sales units: the filter offers them');
    const calls = callsOn(first.text);
    assert.equal(calls.length, 50);
    assert.deepEqual(calls.slice(0, 2), ['POST /ecomm/v2/payments', 'GET /ecomm/v2/payments/tosidig-web-51/details']);
    const older = hrefOf(first.text, 'older-calls');
    assert.ok(older);
    const second = await session.get(older);
    assert.deepEqual(callsOn(second.text), ['GET /ecomm/v2/payments/tosidig-web-2/details', 'GET /ecomm/v2/payments/tosidig-web-1/details']);
    assert.equal(hrefOf(second.text, 'older-calls'), null, 'the last page');
  });

  test('the sales-unit filter keeps one unit; the endpoint and status filters combine with it', async () => {
    const kioskOnly = await session.get(`/portal/api-calls?msn=${kiosk.msn}`);
    assert.deepEqual(callsOn(kioskOnly.text), ['POST /ecomm/v2/payments']);
    const none = await session.get(`/portal/api-calls?msn=${kiosk.msn}&status=4xx`);
    assert.deepEqual(callsOn(none.text), []);
    assert.match(none.text, /data-testid="no-api-calls"/);
    const webDetails = await session.get(`/portal/api-calls?msn=${web.msn}&endpoint=${encodeURIComponent('GET /ecomm/v2/payments/:orderId/details')}&status=404`);
    assert.equal(callsOn(webDetails.text).length, 50);
  });

  test('the checklist shows the first sales unit unless another is chosen', async () => {
    const first = await session.get('/portal/checklist');
    const options = [...first.text.matchAll(/<option value="(\d+)"( selected)?>/g)];
    assert.deepEqual(options.map((o) => o[1]).sort(), [web.msn, kiosk.msn].sort(), 'the selector offers both sales units');
    assert.equal(options[0]?.[2], ' selected', 'the first is shown');
    const other = options[1]?.[1] ?? '';
    const chosen = await session.get(`/portal/checklist?msn=${other}`);
    assert.match(chosen.text, new RegExp(`<option value="${other}" selected>`));
    // The kiosk made one payment with a useful orderId; the web shop only asked about orders that do not exist.
    const usefulOrderIds = other === kiosk.msn ? 'met' : 'not_exercised';
    assert.match(chosen.text, new RegExp(`data-item="useful-order-ids" data-status="${usefulOrderIds}"`));
  });
});
