// Goal: the operator sets a sales unit's settlement terms (fees, net/gross, frequency) and captures from then on carry
// them; bad terms are refused. Method: the operator API over HTTP, then a capture, the close and the settlement list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest } from '../support/merchant-client.ts';
import { SettlementMerchant, moveTo } from '../scenario/settlement-support.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse({ startJobs: false });
});
after(() => kasse.close());

const admin = (msn: string, body: unknown) =>
  httpRequest(`${kasse.baseUrl}/_kasse/admin/sales-units/${msn}/settlement`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body });

test('the operator’s fees apply to the next captures; gross pays the fees out and invoices them', async () => {
  const shop = await SettlementMerchant.create(kasse);
  const set = await admin(shop.msn, { feeBasisPoints: 300, feeFixedOre: 25, settlementType: 'gross' });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual([set.body.fee_basis_points, set.body.fee_fixed_ore, set.body.settlement_type, set.body.payout_frequency], [300, 25, 'gross', 'daily']);
  await shop.sell(10_000); // fee 300 + 25
  await moveTo(kasse, '2026-01-06T06:00');
  const [settlement] = await shop.settlements();
  assert.deepEqual([settlement.capturedAmount, settlement.feeAmount, settlement.payoutAmount, settlement.settlementType], [10_000, 325, 10_000, 'gross']);
});

test('bad terms are refused with 400 and an unknown sales unit with 404', async () => {
  const shop = await SettlementMerchant.create(kasse);
  for (const body of [{ feeBasisPoints: -1 }, { feeBasisPoints: 10_001 }, { feeFixedOre: 1.5 }, { settlementType: 'both' }, { payoutFrequency: 'hourly' }]) {
    assert.equal((await admin(shop.msn, body)).status, 400, JSON.stringify(body));
  }
  assert.equal((await admin('99999', { feeBasisPoints: 1 })).status, 404);
});
