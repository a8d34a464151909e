// Goal: `/ecomm/v1/…` answers as the FAQ's 401 checklist implies for a merchant without a v1 agreement (every merchant
// on Kasse): 401 Authentication whatever the credentials, with a message that points to /ecomm/v2 — not a 404 that
// reads as a wrong URL. Method: real HTTP against a test Kasse, with valid v2 credentials and with none.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse({ startJobs: false });
});
after(() => kasse?.close());

const V1_REFUSAL = {
  status: 401,
  group: 'Authentication',
  code: '401',
  message: /does not include the eCom API v1 .*Use the same call under \/ecomm\/v2\//,
};

test('/ecomm/v1 answers 401 pointing to v2, with valid v2 keys and without any', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const withKeys = await merchant.call('POST', '/ecomm/v1/payments', { body: merchant.initiateBody('v1-order', 10000) });
  assertVippsError(withKeys, V1_REFUSAL);
  for (const [method, path] of [
    ['GET', '/ecomm/v1/payments/v1-order/details'],
    ['PUT', '/Ecomm/v1/payments/v1-order/cancel'],
    ['POST', '/ecomm/v1/payments/v1-order/capture/'],
  ] as const) {
    assertVippsError(await httpRequest(`${kasse.baseUrl}${path}`, { method }), V1_REFUSAL);
  }
  // Nothing was created under v2 either.
  assert.equal((await merchant.details('v1-order')).status, 404);
});
