// Goal: every issuer outcome and every Vipps test amount reaches the merchant as the real platform reports it —
// force-approve answer, callback, /details and /status — in force approve and in the app. Method: real HTTP
// against a live Kasse, a local callback receiver, seeded and freshly created test users.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { sandboxPinOf, signInToApp } from '../support/app-session.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';

let kasse: TestKasse;
let receiver: CallbackReceiver;
before(async () => {
  kasse = await startTestKasse();
  receiver = await new CallbackReceiver().start();
});
after(async () => {
  await receiver.close();
  await kasse.close();
});

let orderCounter = 0;
async function initiated(merchant: MerchantClient, amountOre: number, mobileNumber?: string) {
  const orderId = `issuer-${++orderCounter}`;
  const response = await merchant.initiate(orderId, amountOre, {
    merchantInfo: { callbackPrefix: `${receiver.url}/cb`, fallBack: `${receiver.url}/fallback` },
    ...(mobileNumber ? { customerInfo: { mobileNumber } } : {}),
  });
  assert.equal(response.status, 200, response.text);
  return { orderId, url: response.body.url as string, token: MerchantClient.tokenOf(response.body.url) };
}

async function callbackFor(orderId: string) {
  await kasse.kasse.jobs.drain();
  const found = receiver.requests.find((r) => r.url === `/cb/v2/payments/${orderId}`);
  assert.ok(found, `a callback for ${orderId}`);
  return found.body as { transactionInfo: { status: string; amount: number }; errorInfo?: { errorGroup: string; errorCode: string } };
}

async function lastLogEntry(merchant: MerchantClient, orderId: string) {
  const details = await merchant.details(orderId);
  return details.body.transactionLogHistory[0] as { operation: string; operationSuccess: boolean; amount: number };
}

/** Confirm as the user in `body.msisdn`, signed in to the app (seeded users with their PIN, others without). */
async function confirmInApp(token: string, body: { msisdn: string; cardId?: string; passedSca?: boolean; passedBankId?: boolean }) {
  const user = await signInToApp(kasse.baseUrl, body.msisdn, sandboxPinOf(body.msisdn));
  return user.request('POST', `/_kasse/app/api/payments/${token}/confirm`, body);
}

const REFUSING_TEST_AMOUNTS: Array<[number, string, string]> = [
  [151, '42', 'insufficient funds'],
  [182, '42', 'refused by issuer'],
  [183, '42', 'suspected fraud'],
  [184, '42', 'withdrawal limit exceeded'],
  [186, '44', 'expired card'],
  [187, '41', 'invalid card'],
  [197, '42', '3-D Secure denied'],
];

describe('test amounts in force approve', () => {
  for (const [amountOre, code, what] of REFUSING_TEST_AMOUNTS) {
    test(`NOK ${(amountOre / 100).toFixed(2)} (${what}) fails the reservation with Payment ${code}`, async () => {
      const merchant = await MerchantClient.create(kasse.baseUrl);
      const { orderId, url } = await initiated(merchant, amountOre);
      const answer = await merchant.approve(orderId, url);
      assert.equal(answer.status, 400);
      assert.deepEqual([vippsError(answer.body).errorGroup, vippsError(answer.body).errorCode], ['Payment', code]);
      assert.deepEqual(await lastLogEntry(merchant, orderId), { ...(await lastLogEntry(merchant, orderId)), operation: 'RESERVE', operationSuccess: false });
      const callback = await callbackFor(orderId);
      assert.equal(callback.transactionInfo.status, 'RESERVE_FAILED');
      assert.deepEqual([callback.errorInfo?.errorGroup, callback.errorInfo?.errorCode], ['Payment', code]);
      assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'FAILED');
    });
  }

  test('on a direct-capture sales unit a refusal is a failed SALE with the SALE_FAILED callback', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl, { captureType: 'direct' });
    const { orderId, url } = await initiated(merchant, 151);
    assert.equal((await merchant.approve(orderId, url)).status, 400);
    const entry = await lastLogEntry(merchant, orderId);
    assert.deepEqual([entry.operation, entry.operationSuccess], ['SALE', false]);
    assert.equal((await callbackFor(orderId)).transactionInfo.status, 'SALE_FAILED');
  });

  test('NOK 2.02 (SCA required) is refused with 42: force approve has nobody to pass the challenge', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, url } = await initiated(merchant, 202);
    const answer = await merchant.approve(orderId, url);
    assert.equal(vippsError(answer.body).errorCode, '42');
    assert.equal((await callbackFor(orderId)).transactionInfo.status, 'RESERVE_FAILED');
  });

  test('NOK 2.01 leaves the result unknown (REGISTER) for an hour, then the reservation fails with 45', async () => {
    let merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, url } = await initiated(merchant, 201);
    assert.equal((await merchant.approve(orderId, url)).status, 200);
    assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'REGISTER');
    await kasse.advance(59 * 60_000);
    assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'REGISTER');
    await kasse.advance(60_000);
    // An hour has passed: the access token has expired too, so fetch a new one as merchant code would.
    merchant = new MerchantClient(kasse.baseUrl, merchant.credentials);
    const callback = await callbackFor(orderId);
    assert.equal(callback.transactionInfo.status, 'RESERVE_FAILED');
    assert.equal(callback.errorInfo?.errorCode, '45');
    assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'FAILED');
    const entry = await lastLogEntry(merchant, orderId);
    assert.deepEqual([entry.operation, entry.operationSuccess], ['RESERVE', false]);
  });
});

describe('test amounts in the app', () => {
  for (const [amountOre, code, what] of REFUSING_TEST_AMOUNTS) {
    test(`NOK ${(amountOre / 100).toFixed(2)} (${what}) shows the refusal and sends RESERVE_FAILED with ${code}`, async () => {
      const merchant = await MerchantClient.create(kasse.baseUrl);
      const { orderId, token } = await initiated(merchant, amountOre);
      const answer = await confirmInApp(token, { msisdn: '48000001' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.result, 'refused');
      assert.equal(answer.body.redirect, `${receiver.url}/fallback`);
      const callback = await callbackFor(orderId);
      assert.equal(callback.errorInfo?.errorCode, code);
      assert.equal((await lastLogEntry(merchant, orderId)).operationSuccess, false);
    });
  }

  test('NOK 2.02 asks for SCA; after the user passes it the payment is reserved', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, token } = await initiated(merchant, 202);
    assert.deepEqual((await confirmInApp(token, { msisdn: '48000001' })).body, { result: 'challenge', challenge: 'sca' });
    assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'INITIATE');
    assert.equal((await confirmInApp(token, { msisdn: '48000001', passedSca: true })).body.result, 'approved');
    assert.equal((await callbackFor(orderId)).transactionInfo.status, 'RESERVED');
  });

  test('NOK 2.01 answers pending in the app', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { token } = await initiated(merchant, 201);
    assert.equal((await confirmInApp(token, { msisdn: '48000001' })).body.result, 'pending');
  });
});

describe('seeded users, one per failure mode', () => {
  const cases: Array<[string, number, string, string]> = [
    ['48000002', 20_000, 'Payment', '42'], // NOK 100 on the card
    ['48000003', 10_000, 'Payment', '44'], // expired
    ['48000004', 10_000, 'Payment', '42'], // replaced card is the default
    ['48000005', 10_000, 'Payment', '42'], // blocked
    ['48000006', 10_000, 'Payment', '41'], // no card
    ['48000012', 60_000, 'Payment', '43'], // NOK 500 per purchase
  ];
  for (const [msisdn, amountOre, group, code] of cases) {
    test(`force approve by ${msisdn} fails the reservation with ${group} ${code}`, async () => {
      const merchant = await MerchantClient.create(kasse.baseUrl);
      const { orderId, url } = await initiated(merchant, amountOre);
      const error = vippsError((await merchant.approve(orderId, url, msisdn)).body);
      assert.deepEqual([error.errorGroup, error.errorCode], [group, code]);
      assert.equal((await callbackFor(orderId)).transactionInfo.status, 'RESERVE_FAILED');
    });
  }

  for (const [msisdn, code, what] of [
    ['48000009', '82', 'an app too old'],
    ['48000010', '81', 'a user who cannot pay businesses'],
  ] as const) {
    test(`force approve by ${what} answers User ${code} and leaves the payment waiting`, async () => {
      const merchant = await MerchantClient.create(kasse.baseUrl);
      const { orderId, url } = await initiated(merchant, 10_000);
      const error = vippsError((await merchant.approve(orderId, url, msisdn)).body);
      assert.deepEqual([error.errorGroup, error.errorCode], ['User', code]);
      assert.equal((await merchant.status(orderId)).body.transactionInfo.status, 'INITIATE');
    });
  }

  test('the replaced card is refused, the new card of the same user works', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, token } = await initiated(merchant, 10_000);
    const user = (await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users/48000004`)).body;
    const fresh = user.cards.find((c: { state: string }) => c.state === 'active');
    assert.equal((await confirmInApp(token, { msisdn: '48000004', cardId: fresh.id })).body.result, 'approved');
    const details = await merchant.details(orderId);
    assert.equal(details.body.transactionLogHistory[0].operation, 'RESERVE');
  });

  test('above the step-up limit the app asks for BankID and force approve is refused with 1082', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const viaForce = await initiated(merchant, 200_000);
    assert.equal(vippsError((await merchant.approve(viaForce.orderId, viaForce.url, '48000007')).body).errorCode, '1082');
    assert.equal((await merchant.status(viaForce.orderId)).body.transactionInfo.status, 'INITIATE');
    const viaApp = await initiated(merchant, 200_000);
    assert.deepEqual((await confirmInApp(viaApp.token, { msisdn: '48000007' })).body, { result: 'challenge', challenge: 'bankid' });
    assert.equal((await confirmInApp(viaApp.token, { msisdn: '48000007', passedBankId: true })).body.result, 'approved');
    const below = await initiated(merchant, 50_000);
    assert.equal((await merchant.approve(below.orderId, below.url, '48000007')).status, 200);
  });

  test('a user who is not BankID verified becomes verified by passing BankID in the app once', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const msisdn = '47100008';
    const created = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body: { msisdn, bankIdVerified: false } });
    assert.equal(created.status, 201, created.text);
    const first = await initiated(merchant, 10_000);
    assert.equal(vippsError((await merchant.approve(first.orderId, first.url, msisdn)).body).errorCode, '1082');
    assert.equal((await confirmInApp(first.token, { msisdn })).body.challenge, 'bankid');
    assert.equal((await confirmInApp(first.token, { msisdn, passedBankId: true })).body.result, 'approved');
    const second = await initiated(merchant, 10_000);
    assert.equal((await merchant.approve(second.orderId, second.url, msisdn)).status, 200);
  });
});

describe('the sandbox user and bank API', () => {
  test('a user created with cards is listed with balances; a duplicate number is refused', async () => {
    const body = {
      msisdn: '47100001',
      firstName: 'Astrid',
      lastName: 'Lindgren',
      cards: [{ brand: 'MASTERCARD', availableOre: 12_345, expiryMonth: '2031-07' }],
    };
    const created = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.cards[0].brand, 'MASTERCARD');
    assert.equal(created.body.cards[0].availableOre, 12_345);
    const again = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body });
    assert.equal(again.status, 400);
    assert.equal(vippsError(again.body).errorCode, 'msisdn');
  });

  test('a bank is created and can then issue cards', async () => {
    const bank = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/banks`, {
      method: 'POST',
      body: { id: 'testbank', name: 'Testbank', holdDays: 3, forceThrough: true, refundArrivalBankDays: 1 },
    });
    assert.equal(bank.status, 201, bank.text);
    const banks = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/banks`);
    assert.ok(banks.body.some((b: { id: string; hold_days: number }) => b.id === 'testbank' && b.hold_days === 3));
    const user = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body: { msisdn: '47100002', cards: [{ bankId: 'testbank' }] } });
    assert.equal(user.status, 201, user.text);
    const unknownBank = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body: { msisdn: '47100003', cards: [{ bankId: 'nope' }] } });
    assert.equal(unknownBank.status, 400);
  });
});
