// Goal: unchanged merchant code works against Kasse with only the base URL changed. Method: run
// examples/merchant-flow.mjs as a child process against a real Kasse and read what it printed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createSandboxMerchant } from '../support/merchant-client.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

test('the example merchant script runs token → initiate → approve → partial capture → refund → details', async () => {
  const credentials = await createSandboxMerchant(kasse.baseUrl);
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/merchant-flow.mjs'], {
    env: {
      ...process.env,
      VIPPS_BASE_URL: kasse.baseUrl,
      VIPPS_CLIENT_ID: credentials.clientId,
      VIPPS_CLIENT_SECRET: credentials.clientSecret,
      VIPPS_SUBSCRIPTION_KEY: credentials.subscriptionKey,
      VIPPS_MSN: credentials.merchantSerialNumber,
    },
  });
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  assert.deepEqual(summary.log, ['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE']);
  assert.deepEqual(summary.summary, {
    capturedAmount: 15000,
    remainingAmountToCapture: 5000,
    refundedAmount: 5000,
    remainingAmountToRefund: 10000,
    bankIdentificationNumber: 492560,
  });
});
