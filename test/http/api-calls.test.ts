// API-call recording: every authenticated merchant call is recorded for its sales unit — time, method, route and
// path (no query), status, errorGroup/errorCode of an error answer, latency, X-Request-Id, orderId, the Vipps-System-*
// and Merchant-Serial-Number headers — and never a token, key, secret, Authorization header or body. GET
// /_kasse/api-calls lists a unit's own calls (filters, pages). Calls are written in batches; a graceful shutdown writes
// what is buffered; the retention job deletes calls older than KASSE_API_CALL_RETENTION_DAYS. A NUL a request carries
// into what is recorded (PostgreSQL's text cannot hold one) is recorded as U+FFFD. Both engines.
import { kasseActor } from '../../src/core/operators/audit.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { pruneApiCalls } from '../../src/core/api-calls/recorder.ts';
import { createKasse } from '../../src/kasse.ts';
import { openStore } from '../../src/store/db.ts';
import { freshDatabase, testDialects } from '../support/databases.ts';
import { TEST_EPOCH_MS, startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { PartnerClient, createPartner } from '../support/partner-client.ts';

const DAY_MS = 86_400_000;
const SYSTEM_HEADERS = {
  'Vipps-System-Name': 'acme-webshop',
  'Vipps-System-Version': '4.2.0',
  'Vipps-System-Plugin-Name': 'acme-vipps',
  'Vipps-System-Plugin-Version': '1.0.3',
};

async function apiCalls(merchant: MerchantClient, query = '') {
  const result = await httpRequest(`${merchant.baseUrl}/_kasse/api-calls${query}`, { headers: await merchant.authHeaders() });
  assert.equal(result.status, 200, result.text);
  return result.body as { items: any[]; nextCursor: string | null; retentionDays: number };
}

for (const dialect of testDialects()) {
  describe(`API-call recording (${dialect})`, () => {
    let k: TestKasse;
    let shop: MerchantClient;
    before(async () => {
      k = await startTestKasse({ dialect });
      shop = await MerchantClient.create(k.baseUrl);
    });
    after(() => k?.close());

    test('each call is recorded with what the dashboard shows, newest first', async () => {
      const initiated = await shop.call('POST', '/ecomm/v2/payments', { body: shop.initiateBody('acme-order-1001', 10_000), headers: SYSTEM_HEADERS });
      assert.equal(initiated.status, 200);
      await shop.approve('acme-order-1001', initiated.body.url);
      await shop.call('POST', '/ecomm/v2/payments/acme-order-1001/capture', {
        body: { merchantInfo: { merchantSerialNumber: shop.msn }, transaction: { amount: 4000, transactionText: 'Part' } },
        headers: { ...SYSTEM_HEADERS, 'X-Request-Id': 'capture-req-1' },
      });
      const missing = await shop.call('GET', '/ecomm/v2/payments/no-such-order-1/details', { headers: SYSTEM_HEADERS });
      assert.equal(missing.status, 404);
      const { items, retentionDays } = await apiCalls(shop);
      assert.equal(retentionDays, 14);
      assert.deepEqual(
        items.map((c) => [c.endpoint, c.status, c.orderId]),
        [
          ['GET /ecomm/v2/payments/:orderId/details', 404, 'no-such-order-1'],
          ['POST /ecomm/v2/payments/:orderId/capture', 200, 'acme-order-1001'],
          ['POST /ecomm/v2/integration-test/payments/:orderId/approve', 200, 'acme-order-1001'],
          ['POST /ecomm/v2/payments', 200, 'acme-order-1001'],
        ],
      );
      const [notFound, capture] = items;
      assert.deepEqual([notFound.errorGroup, notFound.errorCode, notFound.path], ['Merchant', '35', '/ecomm/v2/payments/no-such-order-1/details']);
      assert.equal(capture.requestId, 'capture-req-1');
      assert.deepEqual(capture.vippsSystem, { name: 'acme-webshop', version: '4.2.0', pluginName: 'acme-vipps', pluginVersion: '1.0.3' });
      assert.equal(typeof capture.latencyMs, 'number');
      assert.equal(capture.time, new Date(TEST_EPOCH_MS).toISOString());
      assert.deepEqual([capture.errorGroup, capture.errorCode, capture.viaPartnerKey], [null, null, false]);
    });

    test('filters by endpoint, status (exact or class) and orderId; pages with a cursor', async () => {
      assert.deepEqual((await apiCalls(shop, '?status=404')).items.map((c) => c.orderId), ['no-such-order-1']);
      assert.deepEqual((await apiCalls(shop, '?status=4xx')).items.map((c) => c.orderId), ['no-such-order-1']);
      assert.equal((await apiCalls(shop, `?endpoint=${encodeURIComponent('POST /ecomm/v2/payments/:orderId/capture')}`)).items.length, 1);
      assert.equal((await apiCalls(shop, `?endpoint=${encodeURIComponent('/ecomm/v2/payments')}`)).items.length, 1);
      assert.equal((await apiCalls(shop, '?orderId=acme-order-1001')).items.length, 3);
      const first = await apiCalls(shop, '?limit=3');
      assert.equal(first.items.length, 3);
      const second = await apiCalls(shop, `?limit=3&cursor=${first.nextCursor}`);
      assert.ok(second.items.length >= 1);
      assert.ok(second.items[0].id < first.items[2].id);
      const bad = await httpRequest(`${k.baseUrl}/_kasse/api-calls?limit=0`, { headers: await shop.authHeaders() });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /limit/);
    });

    test('no token, key, secret, Authorization header, query string or body is stored', async () => {
      const feed = await httpRequest(`${k.baseUrl}/report/v2/ledgers/${shop.msn}/funds/feed?cursor=&pageSize=10`, { headers: await shop.authHeaders() });
      assert.equal(feed.status, 200);
      await apiCalls(shop); // writes the buffer
      const rows = await k.kasse.store.db.selectFrom('api_call').selectAll().execute();
      const stored = JSON.stringify(rows);
      for (const secret of [await shop.token(), shop.credentials.subscriptionKey, shop.credentials.clientSecret, shop.credentials.clientId, 'Bearer', 'One pair of socks']) {
        assert.ok(!stored.includes(secret), `recorded calls must not hold ${secret.slice(0, 12)}…`);
      }
      assert.ok(rows.some((r) => r.path === `/report/v2/ledgers/${shop.msn}/funds/feed`));
      assert.ok(rows.every((r) => !r.path.includes('?')));
    });

    test('a merchant sees only its own calls; a partner’s calls are recorded for the unit they named', async () => {
      const other = await MerchantClient.create(k.baseUrl);
      await other.details('other-order-1');
      assert.deepEqual((await apiCalls(other)).items.map((c) => c.orderId), ['other-order-1']);
      assert.ok(!(await apiCalls(shop)).items.some((c) => c.orderId === 'other-order-1'));
      const keys = await createPartner(k.baseUrl, [other.msn]);
      await new PartnerClient(k.baseUrl, keys, other.msn).details('other-order-2');
      const [viaPartner] = (await apiCalls(other)).items;
      assert.deepEqual([viaPartner.orderId, viaPartner.viaPartnerKey, viaPartner.merchantSerialNumberHeader], ['other-order-2', true, other.msn]);
    });

    test('an orderId holding NUL (%00 in the path) is recorded with U+FFFD in its place, and the calls written with it are kept', async () => {
      await shop.details('before-nul-order');
      const answered = await shop.call('GET', '/ecomm/v2/payments/nul%00order/details');
      assert.ok(answered.status >= 400 && answered.status < 500, `a 4xx, not ${answered.status}`);
      const orderIds = (await apiCalls(shop)).items.map((c) => c.orderId);
      assert.deepEqual(orderIds.slice(0, 2), ['nul\uFFFDorder', 'before-nul-order']);
    });

    test('calls older than the retention (14 days by default) are pruned (the retention job’s work)', async () => {
      const before = (await apiCalls(shop)).items.length;
      await k.advance(13 * DAY_MS);
      const fresh = new MerchantClient(k.baseUrl, shop.credentials); // the first token expired meanwhile
      await fresh.details('day-13-order');
      await pruneApiCalls(k.kasse.ctx);
      assert.equal((await apiCalls(fresh)).items.length, before + 1);
      await k.advance(2 * DAY_MS);
      await pruneApiCalls(k.kasse.ctx);
      const later = new MerchantClient(k.baseUrl, shop.credentials);
      // The calls of 15 days ago are gone; the one made on day 13 is younger than 14 days and stays.
      assert.deepEqual((await apiCalls(later)).items.map((c) => c.orderId), ['day-13-order']);
    });
  });
}

describe('API-call recording and shutdown', () => {
  test('a call answered right before a graceful shutdown is written (close() flushes the buffer)', async () => {
    const database = await freshDatabase('sqlite');
    const kasse = await createKasse({ databaseUrl: database.url, clock: new ManualClock(TEST_EPOCH_MS), timeTravel: null, startJobs: false });
    try {
      const { createSandboxMerchant } = await import('../../src/core/sandbox/sandbox-merchants.ts');
      const keys = await createSandboxMerchant(kasse.ctx, kasseActor('test'), { rateLimits: false });
      const token = (await kasse.app.inject({ method: 'POST', url: '/accesstoken/get', headers: { client_id: keys.clientId, client_secret: keys.clientSecret, 'ocp-apim-subscription-key': keys.subscriptionKey } })).json().access_token;
      const answer = await kasse.app.inject({ method: 'GET', url: '/ecomm/v2/payments/shutdown-order-1/details', headers: { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': keys.subscriptionKey } });
      assert.equal(answer.statusCode, 404);
    } finally {
      await kasse.close();
    }
    const store = await openStore(database.url);
    try {
      assert.deepEqual((await store.db.selectFrom('api_call').select('order_id').execute()).map((r) => r.order_id), ['shutdown-order-1']);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
