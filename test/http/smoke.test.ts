// Goal: the happy path of a merchant integration works end to end over real HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MerchantClient } from '../support/merchant-client.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

test('token → initiate → force approve → partial capture → refund → details', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const initiated = await merchant.initiate('smoke-1', 20000);
  assert.equal(initiated.status, 200, initiated.text);
  assert.match(initiated.body.url, /\/dwo-api-application\/v1\/deeplink\/vippsgateway\?v=2&token=/);
  assert.equal((await merchant.approve('smoke-1', initiated.body.url)).status, 200);
  const captured = await merchant.capture('smoke-1', 5000, 'cap-1');
  assert.equal(captured.status, 200, captured.text);
  assert.deepEqual(captured.body.transactionSummary, {
    capturedAmount: 5000,
    remainingAmountToCapture: 15000,
    refundedAmount: 0,
    remainingAmountToRefund: 5000,
  });
  const refunded = await merchant.refund('smoke-1', 2000, 'ref-1');
  assert.equal(refunded.status, 200, refunded.text);
  assert.equal(refunded.body.transaction.status, 'Refund');
  const details = await merchant.details('smoke-1');
  assert.deepEqual(
    details.body.transactionLogHistory.map((e: { operation: string }) => e.operation),
    ['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE'],
  );
});
