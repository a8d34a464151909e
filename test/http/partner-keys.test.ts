// Partner keys: a partner's key set acts for the sales units attached to it. Every call names the unit in
// Merchant-Serial-Number; without it, or naming a unit that is not the partner's, the answer is 403 with the real API's
// words ("Invalid MSN: … This MSN is not valid for the provided supermerchant ID."). A sweep checks that a partner
// reaches nothing of a sales unit that is not its own, on every merchant route. Revoking the key and detaching a unit
// take effect on the next call (the auth cache is cleared on commit). Both engines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';
import { PartnerClient, admin, createPartner, type PartnerKeys } from '../support/partner-client.ts';

const SUPERMERCHANT = 'This MSN is not valid for the provided supermerchant ID.';

for (const dialect of testDialects()) {
  describe(`partner keys (${dialect})`, () => {
    let k: TestKasse;
    let shopA: MerchantClient;
    let shopB: MerchantClient;
    let stranger: MerchantClient;
    let keys: PartnerKeys;
    before(async () => {
      k = await startTestKasse({ dialect });
      [shopA, shopB, stranger] = await Promise.all([MerchantClient.create(k.baseUrl), MerchantClient.create(k.baseUrl), MerchantClient.create(k.baseUrl)]);
      keys = await createPartner(k.baseUrl, [shopA.msn, shopB.msn]);
    });
    after(() => k?.close());

    test('a partner token acts for each attached unit named in Merchant-Serial-Number; its orders stay that unit’s', async () => {
      const forA = new PartnerClient(k.baseUrl, keys, shopA.msn);
      const forB = new PartnerClient(k.baseUrl, keys, shopB.msn);
      await forA.reserved('platform-order-a1', 10_000);
      assert.equal((await forA.capture('platform-order-a1', 4_000, 'cap-1')).status, 200);
      // The unit's own keys see the partner's order; the other attached unit does not.
      assert.equal((await shopA.details('platform-order-a1')).body.transactionLogHistory[0].operation, 'CAPTURE');
      const viaB = await forB.details('platform-order-a1');
      assert.equal(viaB.status, 404);
      assert.equal(vippsError(viaB.body).errorCode, '35');
    });

    test('without Merchant-Serial-Number, or naming a unit that is not the partner’s: 403 in the real API’s words', async () => {
      const missing = await new PartnerClient(k.baseUrl, keys, shopA.msn, null).details('platform-order-a1');
      assert.equal(missing.status, 403);
      assert.equal(vippsError(missing.body).errorMessage, `Invalid MSN: ${SUPERMERCHANT}`);
      const foreign = await new PartnerClient(k.baseUrl, keys, stranger.msn).details('platform-order-a1');
      assert.equal(foreign.status, 403);
      assert.equal(vippsError(foreign.body).errorMessage, `Invalid MSN: ${stranger.msn}. ${SUPERMERCHANT}`);
      // The body's merchantSerialNumber must be the header's (the KB's "common mistake").
      const mixed = new PartnerClient(k.baseUrl, keys, shopA.msn);
      const initiated = await mixed.call('POST', '/ecomm/v2/payments', { body: new PartnerClient(k.baseUrl, keys, shopB.msn).initiateBody('platform-mixed-1', 1000) });
      assert.equal(initiated.status, 403);
      assert.match(vippsError(initiated.body).errorMessage, new RegExp(`^Invalid MSN: ${shopB.msn}\\.`));
    });

    test('sweep: with a foreign MSN a partner reaches nothing on any merchant route', async () => {
      const foreign = new PartnerClient(k.baseUrl, keys, stranger.msn);
      const headers = await foreign.authHeaders();
      await stranger.reserved('stranger-order-1', 5_000);
      const body = { merchantInfo: { merchantSerialNumber: stranger.msn }, transaction: { amount: 100, transactionText: 'x' } };
      const routes: Array<[string, string, unknown?]> = [
        ['POST', '/ecomm/v2/payments', foreign.initiateBody('sweep-order-1', 1000)],
        ['POST', '/ecomm/v2/payments/stranger-order-1/capture', body],
        ['POST', '/ecomm/v2/payments/stranger-order-1/refund', body],
        ['PUT', '/ecomm/v2/payments/stranger-order-1/cancel', body],
        ['GET', '/ecomm/v2/payments/stranger-order-1/details'],
        ['GET', '/ecomm/v2/payments/stranger-order-1/status'],
        ['POST', '/ecomm/v2/integration-test/payments/stranger-order-1/approve', { customerPhoneNumber: '91234567', token: 'x' }],
        ['GET', '/vipps-userinfo-api/userinfo/some-sub'],
        ['GET', '/settlement/v1/ledgers'],
        ['GET', `/report/v2/ledgers/${stranger.msn}/funds/feed`],
        ['GET', '/_kasse/settlements'],
        ['GET', '/_kasse/settlements/bank-account'],
        ['GET', '/_kasse/callbacks'],
        ['GET', '/_kasse/api-calls'],
        ['GET', '/_kasse/checklist'],
      ];
      for (const [method, path, requestBody] of routes) {
        const result = await httpRequest(`${k.baseUrl}${path}`, { method, headers, ...(requestBody !== undefined ? { body: requestBody } : {}) });
        assert.equal(result.status, 403, `${method} ${path}: ${result.status} ${result.text}`);
        assert.ok(result.text.includes(SUPERMERCHANT), `${method} ${path} names the reason: ${result.text}`);
      }
      // Nothing changed on the stranger's order.
      assert.equal((await stranger.details('stranger-order-1')).body.transactionLogHistory[0].operation, 'RESERVE');
      // Another partner's keys, even naming a unit attached to the first partner, are refused the same way.
      const otherPartner = await createPartner(k.baseUrl, [stranger.msn], 'Other platform');
      const intruder = await new PartnerClient(k.baseUrl, otherPartner, shopA.msn).details('platform-order-a1');
      assert.equal(intruder.status, 403);
    });

    test('the Report API: a partner token with Merchant-Serial-Number sees that unit’s ledger only', async () => {
      const forA = new PartnerClient(k.baseUrl, keys, shopA.msn);
      const ledgers = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers`, { headers: await forA.authHeaders() });
      assert.equal(ledgers.status, 200);
      assert.deepEqual(ledgers.body.items.map((l: { ledgerId: string }) => l.ledgerId), [shopA.msn]);
      const othersLedger = await httpRequest(`${k.baseUrl}/report/v2/ledgers/${shopB.msn}/funds/feed`, { headers: await forA.authHeaders() });
      assert.equal(othersLedger.status, 404);
      const missing = await httpRequest(`${k.baseUrl}/settlement/v1/ledgers`, { headers: await new PartnerClient(k.baseUrl, keys, shopA.msn, null).authHeaders() });
      assert.equal(missing.status, 403);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    });

    test('detaching a unit and revoking the key take effect on the next call', async () => {
      const own = await createPartner(k.baseUrl, [shopA.msn, shopB.msn], 'Short-lived platform');
      const forA = new PartnerClient(k.baseUrl, own, shopA.msn);
      const forB = new PartnerClient(k.baseUrl, own, shopB.msn);
      assert.equal((await forA.details('platform-order-a1')).status, 200);
      assert.equal((await forB.details('platform-order-a1')).status, 404);
      await admin(k.baseUrl, 'DELETE', `/_kasse/admin/partners/${own.partnerId}/sales-units/${shopB.msn}`);
      assert.equal((await forB.details('platform-order-a1')).status, 403);
      await admin(k.baseUrl, 'DELETE', `/_kasse/admin/partners/${own.partnerId}/keys/${own.clientId}`);
      assert.equal((await forA.details('platform-order-a1')).status, 401);
      const token = await httpRequest(`${k.baseUrl}/accesstoken/get`, {
        method: 'POST',
        headers: { client_id: own.clientId, client_secret: own.clientSecret, 'Ocp-Apim-Subscription-Key': own.subscriptionKey },
      });
      assert.equal(token.status, 401);
      const listed = await admin<Array<{ id: string; salesUnits: string[] }>>(k.baseUrl, 'GET', '/_kasse/admin/partners');
      assert.deepEqual(listed.find((p) => p.id === own.partnerId)?.salesUnits, [shopA.msn]);
    });

    // Each CLI run starts a process (seconds under load): on SQLite only.
    if (dialect === 'sqlite') test('the CLI creates a partner, attaches a unit and issues keys that work', async () => {
      const cli = (...args: string[]) => {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: k.databaseUrl }, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        return JSON.parse(run.stdout);
      };
      const partner = cli('partners', 'create', '--name', 'CLI platform');
      assert.equal(cli('partners', 'attach', partner.id, shopA.msn).attached, true);
      const cliKeys = cli('partner-keys', 'create', partner.id) as PartnerKeys;
      assert.equal((await new PartnerClient(k.baseUrl, cliKeys, shopA.msn).details('platform-order-a1')).status, 200);
      cli('partner-keys', 'revoke', partner.id, cliKeys.clientId);
      // The CLI is another process: this node sees the revocation within the auth cache's bound.
      k.clock.advance(1_000);
      // A revoked key set gets no access token: 401 unauthorized_client, as for a client id that never existed.
      await assert.rejects(new PartnerClient(k.baseUrl, cliKeys, shopA.msn).details('platform-order-a1'), /access token: 401 .*unauthorized_client/);
    });
  });
}
