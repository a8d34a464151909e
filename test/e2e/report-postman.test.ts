// Goal: the official Report API Postman collection (spec/report/) runs unchanged against Kasse and every request answers
// 2xx. Method: newman's library API against a real Kasse; the collection's ledger transactions request names ledger
// 302321 literally, so the sandbox merchant is created with MSN 302321 (a sales unit's ledger id is its MSN), and its
// ledger holds a settled capture of another date, which the listing's date filter must leave out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import newman, { type NewmanRunSummary } from 'newman';
import { createSandboxMerchant } from '../../src/core/sandbox/sandbox-merchants.ts';
import { SANDBOX_ACTOR } from '../../src/core/operators/audit.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { specFile, specSkip } from '../support/spec-files.ts';
import { moveTo } from '../scenario/settlement-support.ts';

const COLLECTION_FILE = specFile('report/report-api-postman-collection.json');
const skip = specSkip('report/report-api-postman-collection.json');
const LEDGER_IN_COLLECTION = '302321';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse({ startJobs: false });
});
after(() => kasse.close());

test('every request of the official Report API collection answers 2xx', { skip }, async () => {
  const credentials = await createSandboxMerchant(kasse.kasse.ctx, SANDBOX_ACTOR, { msn: LEDGER_IN_COLLECTION, rateLimits: false });
  const merchant = new MerchantClient(kasse.baseUrl, credentials);
  await merchant.reserved('postman-report', 12_300);
  assert.equal((await merchant.capture('postman-report', 12_300)).status, 200);
  await moveTo(kasse, '2026-01-06T06:00');

  const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'));
  const values = {
    base_url_production: kasse.baseUrl,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
    merchantSerialNumber: credentials.merchantSerialNumber,
    vipps_system_name: 'newman',
    vipps_system_version: '6',
    vipps_system_plugin_name: 'kasse-tests',
    vipps_system_plugin_version: '1',
  };
  const summary = await new Promise<NewmanRunSummary>((resolve, reject) =>
    newman.run(
      { collection, environment: { values: Object.entries(values).map(([key, value]) => ({ key, value, type: 'default', enabled: true })) }, timeoutRequest: 15_000 },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  const answers = summary.run.executions.map((e) => [e.item.name, e.response?.code]);
  assert.deepEqual(answers, [
    ['Get access token', 200],
    ['Get ledgers', 200],
    ['Get ledger transactions', 200],
  ]);
  assert.deepEqual(summary.run.failures.map((f) => f.error.message), []);
  const listing = JSON.parse(Buffer.from(summary.run.executions[2]!.response!.stream!).toString('utf8'));
  // The collection asks for ledgerDate=2022-10-01, before this ledger existed: the settled capture of 2026-01-05 is not in it.
  assert.deepEqual(listing, { cursor: '', items: [] });
});
