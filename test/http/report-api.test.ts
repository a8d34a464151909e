// Goal: the Report API's access rules and errors are the spec's: the keys' sales unit sees its own ledger only (another
// merchant's is a 404 exactly like an unknown one), missing or wrong keys get the 401 body, bad input a 400 problem,
// an open date 200 with tryLater. Method: two sandbox merchants over real HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { SettlementMerchant, moveTo } from '../scenario/settlement-support.ts';

let kasse: TestKasse;
let mine: MerchantClient;
let theirs: MerchantClient;
before(async () => {
  kasse = await startTestKasse({ startJobs: false });
  mine = await MerchantClient.create(kasse.baseUrl);
  theirs = await MerchantClient.create(kasse.baseUrl);
});
after(() => kasse.close());

const get = async (client: MerchantClient, path: string) => httpRequest(`${kasse.baseUrl}${path}`, { headers: await client.authHeaders() });

test('the ledger list holds the sales unit’s own ledger, settling for api:<MSN>', async () => {
  const list = await get(mine, '/settlement/v1/ledgers');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((l: any) => [l.ledgerId, l.currency, l.settlesForRecipientHandles]), [[mine.msn, 'NOK', [`api:${mine.msn}`]]]);
  const filtered = await get(mine, `/settlement/v1/ledgers?settlesForRecipientHandles=api:${theirs.msn}`);
  assert.deepEqual(filtered.body.items, []);
});

test('another merchant’s ledger is indistinguishable from an unknown one: 404', async () => {
  for (const path of [`/report/v2/ledgers/${theirs.msn}/funds/dates/2026-01-05`, `/report/v2/ledgers/${theirs.msn}/fees/feed`, `/report/v1/ledgertransactions?ledgerId=${theirs.msn}`]) {
    const foreign = await get(mine, path);
    const unknown = await get(mine, path.replaceAll(theirs.msn, '999999999'));
    assert.equal(foreign.status, 404, path);
    assert.deepEqual({ ...foreign.body, instance: null }, { ...unknown.body, instance: null });
  }
});

test('no token or a wrong subscription key: 401 with the spec’s body', async () => {
  const bare = await httpRequest(`${kasse.baseUrl}/settlement/v1/ledgers`);
  assert.equal(bare.status, 401);
  assert.deepEqual(Object.keys(bare.body).sort(), ['code', 'message']);
  const wrongKey = await httpRequest(`${kasse.baseUrl}/settlement/v1/ledgers`, { headers: { ...(await mine.authHeaders()), 'Ocp-Apim-Subscription-Key': theirs.credentials.subscriptionKey } });
  assert.equal(wrongKey.status, 401);
});

test('an open date answers 200 with tryLater; bad dates, topics and cursors are 400 problems', async () => {
  const open = await get(mine, `/report/v2/ledgers/${mine.msn}/funds/dates/2026-01-05`);
  assert.equal(open.status, 200);
  assert.equal(open.body.tryLater, true);
  const before = await get(mine, `/report/v2/ledgers/${mine.msn}/funds/dates/2025-12-31`);
  assert.deepEqual([before.body.tryLater, before.body.items], [false, []], 'dates before the sales unit existed are closed and empty');
  for (const path of [`/report/v2/ledgers/${mine.msn}/funds/dates/2026-02-30`, `/report/v2/ledgers/${mine.msn}/payouts/feed`, `/report/v2/ledgers/${mine.msn}/funds/feed?cursor=nonsense`]) {
    const bad = await get(mine, path);
    assert.equal(bad.status, 400, path);
    assert.match(bad.headers.get('content-type') ?? '', /^application\/problem\+json/);
  }
  const feed = await get(mine, `/report/v2/ledgers/${mine.msn}/funds/feed`);
  assert.deepEqual([feed.status, feed.body.tryLater, feed.body.items], [200, true, []]);
  assert.equal(typeof feed.body.cursor, 'string');
});

test('another merchant’s settlements, settlement files and bank account stay out of reach: its files are 404 like unknown ones', async () => {
  const seller = await SettlementMerchant.create(kasse);
  await seller.sell(10_000);
  await moveTo(kasse, '2026-01-06T12:00');
  const [settlement] = await seller.settlements();
  assert.ok(settlement, 'the seller’s Monday is settled on Tuesday morning');
  // A fresh token: the clock moved a day, past the lifetime of the one `mine` holds.
  const other = new MerchantClient(kasse.baseUrl, mine.credentials);
  for (const extension of ['xml', 'csv', 'xlsx', 'pdf']) {
    assert.equal((await seller.get(`/_kasse/settlements/${settlement.settlementId}.${extension}`)).status, 200, extension);
    const foreign = await get(other, `/_kasse/settlements/${settlement.settlementId}.${extension}`);
    const unknown = await get(other, `/_kasse/settlements/999999999.${extension}`);
    assert.equal(foreign.status, 404, extension);
    assert.deepEqual(vippsErrorWithoutContext(foreign.body), vippsErrorWithoutContext(unknown.body));
  }
  const own = await get(other, '/_kasse/settlements');
  assert.equal(own.status, 200, own.text);
  assert.ok(own.body.items.every((item: { settlementId: number }) => item.settlementId !== settlement.settlementId));
  const account = await get(other, '/_kasse/settlements/bank-account');
  assert.equal(account.status, 200, account.text);
  assert.ok(!JSON.stringify(account.body).includes(seller.msn), 'no trace of the seller in another merchant’s bank account');
});

test('KASSE_REPORT_PAYOUT_ENTRY=payout-scheduled shows the payout under the newer docs’ name, by date and in the feed', async () => {
  assert.equal(loadConfig({}).reportPayoutEntryType, 'scheduled-for-payout', 'the 2023 spec’s name by default');
  assert.equal(loadConfig({ KASSE_REPORT_PAYOUT_ENTRY: 'payout-scheduled' }).reportPayoutEntryType, 'payout-scheduled');
  assert.throws(() => loadConfig({ KASSE_REPORT_PAYOUT_ENTRY: 'payout' }), /KASSE_REPORT_PAYOUT_ENTRY/);
  const newer = await startTestKasse({ startJobs: false, config: { reportPayoutEntryType: 'payout-scheduled' } });
  try {
    const seller = await SettlementMerchant.create(newer);
    await seller.sell(10_000);
    await moveTo(newer, '2026-01-06T12:00');
    const { items } = await seller.report('2026-01-05');
    assert.deepEqual(items.map((i) => [i.entryType, i.amount]), [['capture', 10_000], ['payout-scheduled', -10_000]]);
    const feed = await seller.get(`/report/v2/ledgers/${seller.msn}/funds/feed`);
    assert.deepEqual(feed.body.items.map((i: { entryType: string }) => i.entryType), ['capture', 'payout-scheduled']);
  } finally {
    await newer.close();
  }
});

function vippsErrorWithoutContext(body: Array<Record<string, unknown>>) {
  return body.map(({ contextId: _contextId, errorMessage: _message, ...rest }) => rest);
}
