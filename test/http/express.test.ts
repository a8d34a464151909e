// Goal: express checkout and userinfo reach the merchant exactly as the real platform sends them — shipping
// details calls, RESERVE callbacks with shipping and user details, /details with postCode, [Expired] after 7
// days, consent removal, userinfo claims per consent. Method: real HTTP against a live Kasse, a local merchant
// server answering shipping details and receiving callbacks, the fake clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addFaultRule } from '../../src/core/callbacks/faults.ts';
import { signInToApp } from '../support/app-session.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';

const DAY_MS = 24 * 3_600_000;
const STATIC_SHIPPING = [
  { isDefault: 'N', priority: 1, shippingCost: '99.00', shippingMethod: 'Walking', shippingMethodId: 'walk' },
  { isDefault: 'Y', priority: 2, shippingCost: 199, shippingMethod: 'Running', shippingMethodId: 'run' },
];

let kasse: TestKasse;
let merchantServer: CallbackReceiver;
before(async () => {
  kasse = await startTestKasse();
  merchantServer = await new CallbackReceiver().start();
});
after(async () => {
  await merchantServer.close();
  await kasse.close();
});

let counter = 0;
function expressBody(merchant: MerchantClient, orderId: string, merchantInfo: object) {
  return merchant.initiateBody(orderId, 20_000, {
    merchantInfo: {
      paymentType: 'eComm Express Payment',
      authToken: 'Basic c2VjcmV0',
      callbackPrefix: `${merchantServer.url}/cb`,
      consentRemovalPrefix: `${merchantServer.url}/consents`,
      fallBack: `${merchantServer.url}/fallback`,
      ...merchantInfo,
    },
  });
}

async function initiateExpress(merchant: MerchantClient, merchantInfo: object) {
  const orderId = `express-${++counter}`;
  const initiated = await merchant.call('POST', '/ecomm/v2/payments', { body: expressBody(merchant, orderId, merchantInfo) });
  assert.equal(initiated.status, 200, initiated.text);
  return { orderId, url: initiated.body.url as string };
}

async function callbackFor(orderId: string) {
  await kasse.kasse.jobs.drain();
  const found = merchantServer.requests.find((r) => r.url === `/cb/v2/payments/${orderId}`);
  assert.ok(found, `the merchant got a callback for ${orderId}`);
  return found.body as Record<string, any>;
}

describe('express checkout', () => {
  test('with static shipping details force approve reserves amount + the default method and calls back with shipping and user details', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, url } = await initiateExpress(merchant, { staticShippingDetails: STATIC_SHIPPING });
    const approved = await merchant.approve(orderId, url, '48000001');
    assert.equal(approved.status, 200, approved.text);

    const callback = await callbackFor(orderId);
    assert.equal(callback.transactionInfo.status, 'RESERVE');
    assert.equal(callback.transactionInfo.amount, 20_000 + 19_900);
    assert.deepEqual(callback.shippingDetails, {
      address: { addressLine1: 'Dronning Eufemias gate 42', addressLine2: null, city: 'OSLO', country: 'NO', zipCode: '0191' },
      shippingCost: 199,
      shippingMethod: 'Running',
      shippingMethodId: 'run',
    });
    assert.deepEqual(Object.keys(callback.userDetails).sort(), ['email', 'firstName', 'lastName', 'mobileNumber', 'userId']);
    assert.equal(callback.userDetails.firstName, 'Ola');
    assert.equal(callback.userDetails.mobileNumber, '48000001');

    const details = (await merchant.details(orderId)).body;
    assert.equal(details.transactionLogHistory[0].operation, 'RESERVE');
    assert.equal(details.transactionLogHistory[0].amount, 39_900);
    assert.deepEqual(details.shippingDetails.address, {
      addressLine1: 'Dronning Eufemias gate 42',
      city: 'OSLO',
      country: 'Norway',
      postCode: '0191',
    });
    assert.equal(details.shippingDetails.shippingCost, 199);
    assert.equal(details.userDetails.email, callback.userDetails.email);
    assert.equal(details.transactionSummary.remainingAmountToCapture, 39_900);
    const captured = await merchant.capture(orderId, null, 'all-of-it');
    assert.equal(captured.body.transactionInfo.amount, 39_900);
  });

  test("force approve asks the merchant's shipping endpoint (Authorization: authToken) and uses its default method", async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    merchantServer.behave = (request) =>
      request.url.endsWith('/shippingDetails')
        ? {
            body: {
              addressId: (request.body as { addressId: number }).addressId,
              orderId: 'x',
              shippingDetails: [
                { isDefault: 'N', priority: '0', shippingCost: '49.50', shippingMethod: 'Pick-up point', shippingMethodId: 'pickup' },
                { isDefault: 'Y', priority: 1, shippingCost: 0, shippingMethod: 'Store', shippingMethodId: 'store' },
              ],
            },
          }
        : {};
    try {
      const { orderId, url } = await initiateExpress(merchant, { shippingDetailsPrefix: `${merchantServer.url}/ship?tk=1&x=` });
      assert.equal((await merchant.approve(orderId, url)).status, 200);
      const call = merchantServer.requests.find((r) => r.url === `/ship?tk=1&x=/v2/payments/${orderId}/shippingDetails`);
      assert.ok(call, 'the shipping details URL is the prefix and the suffix, concatenated');
      assert.equal(call.method, 'POST');
      assert.equal(call.headers.authorization, 'Basic c2VjcmV0');
      const body = call.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['addressId', 'addressLine1', 'addressLine2', 'addressType', 'city', 'country', 'postCode']);
      assert.equal(body.postCode, '0191');
      // ShippingCostAndMethod.addressId: integer, minimum 100 (ecom v2 swagger).
      assert.ok(Number.isInteger(body.addressId) && (body.addressId as number) >= 100, `addressId ${String(body.addressId)} is an integer >= 100`);
      const callback = await callbackFor(orderId);
      assert.equal(callback.shippingDetails.shippingMethodId, 'store');
      assert.equal(callback.transactionInfo.amount, 20_000);
      const inspected = await kasse.kasse.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'shipping_details').where('order_id', '=', orderId).execute();
      assert.equal(inspected.length, 1, 'the shipping call is recorded like every outbound call');
      assert.equal(inspected[0]?.state, 'delivered');
    } finally {
      merchantServer.behave = () => ({});
    }
  });

  for (const [what, behaviour] of [
    ['answers 500', { status: 500 }],
    ['answers something that is not shipping details', { body: { hello: 'world' } }],
  ] as const) {
    test(`a shipping endpoint that ${what} fails the payment (RESERVE_FAILED, Payment 45)`, async () => {
      const merchant = await MerchantClient.create(kasse.baseUrl);
      merchantServer.behave = (request) => (request.url.includes('/shippingDetails') ? behaviour : {});
      try {
        const { orderId, url } = await initiateExpress(merchant, { shippingDetailsPrefix: `${merchantServer.url}/ship` });
        const answer = await merchant.approve(orderId, url);
        assert.equal(answer.status, 400);
        assert.deepEqual([vippsError(answer.body).errorGroup, vippsError(answer.body).errorCode], ['Payment', '45']);
        const callback = await callbackFor(orderId);
        assert.equal(callback.transactionInfo.status, 'RESERVE_FAILED');
        const entry = (await merchant.details(orderId)).body.transactionLogHistory[0];
        assert.deepEqual([entry.operation, entry.operationSuccess], ['RESERVE', false]);
      } finally {
        merchantServer.behave = () => ({});
      }
    });
  }

  test('a shipping endpoint that takes 11 s fails the payment after the 10 s timeout', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    merchantServer.behave = (request) => (request.url.includes('/shippingDetails') ? { delayMs: 11_000 } : {});
    try {
      const { orderId, url } = await initiateExpress(merchant, { shippingDetailsPrefix: `${merchantServer.url}/slow` });
      const started = performance.now();
      const answer = await merchant.approve(orderId, url);
      const waitedMs = performance.now() - started;
      assert.equal(vippsError(answer.body).errorCode, '45');
      assert.ok(waitedMs >= 9_900 && waitedMs < 11_000, `waited ${Math.round(waitedMs)} ms for the merchant`);
      const recorded = await kasse.kasse.store.db.selectFrom('callback_attempt').innerJoin('outbox', 'outbox.id', 'callback_attempt.outbox_id').select(['callback_attempt.error']).where('outbox.order_id', '=', orderId).where('outbox.kind', '=', 'shipping_details').executeTakeFirstOrThrow();
      assert.match(recorded.error ?? '', /timed out after 10000 ms/);
    } finally {
      merchantServer.behave = () => ({});
    }
  });

  test('a slow_shipping fault rule fails the next shipping call as a timeout without waiting', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    await addFaultRule(kasse.kasse.ctx, { msn: merchant.msn, kind: 'slow_shipping', count: 1, delayMs: 15_000 });
    const { orderId, url } = await initiateExpress(merchant, { shippingDetailsPrefix: `${merchantServer.url}/ship` });
    assert.equal(vippsError((await merchant.approve(orderId, url)).body).errorCode, '45');
    const second = await initiateExpress(merchant, { staticShippingDetails: STATIC_SHIPPING });
    assert.equal((await merchant.approve(second.orderId, second.url)).status, 200, 'static details need no call');
  });

  test('seven days after reservation the personal data in /details reads [Expired]', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const { orderId, url } = await initiateExpress(merchant, { staticShippingDetails: STATIC_SHIPPING });
    assert.equal((await merchant.approve(orderId, url, '48000001')).status, 200);
    await kasse.advance(7 * DAY_MS);
    const fresh = new MerchantClient(kasse.baseUrl, merchant.credentials);
    assert.equal((await fresh.details(orderId)).body.userDetails.firstName, 'Ola', 'still there on day 7');
    await kasse.advance(1);
    const details = (await fresh.details(orderId)).body;
    assert.deepEqual(
      [details.userDetails.firstName, details.userDetails.lastName, details.userDetails.email, details.userDetails.mobileNumber],
      ['[Expired]', '[Expired]', '[Expired]', '[Expired]'],
    );
    assert.equal(details.shippingDetails.address.addressLine1, '[Expired]');
    assert.equal(details.shippingDetails.address.postCode, '[Expired]');
    assert.equal(details.shippingDetails.shippingMethodId, 'run', 'the shipping method is not personal data');
  });

  test('removing the consent in the app makes Kasse call DELETE [consentRemovalPrefix]/v2/consents/{userId}', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl, { name: 'Consent Shop' });
    const { orderId, url } = await initiateExpress(merchant, { staticShippingDetails: STATIC_SHIPPING });
    assert.equal((await merchant.approve(orderId, url, '47300001')).status, 200);
    const user = await signInToApp(kasse.baseUrl, '47300001');
    const home = await user.request('GET', '/_kasse/app/api/users/47300001');
    const consent = home.body.user.consents.find((c: { merchantName: string }) => c.merchantName === 'Consent Shop');
    assert.ok(consent, 'the app lists the merchant under companies that remember you');
    const removed = await user.request('POST', `/_kasse/app/api/users/47300001/consents/${consent.id}/remove`);
    assert.equal(removed.status, 200, removed.text);
    await kasse.kasse.jobs.drain();
    const userId = (await callbackFor(orderId)).userDetails.userId as string;
    const deletion = merchantServer.requests.find((r) => r.method === 'DELETE');
    assert.ok(deletion, 'the merchant was told');
    assert.equal(deletion.url, `/consents/v2/consents/${encodeURIComponent(userId)}`);
  });

  test('express needs an express-enabled sales unit, a consentRemovalPrefix and shipping, and no scope', async () => {
    const noExpress = await MerchantClient.create(kasse.baseUrl, { express: false });
    const refused = await noExpress.call('POST', '/ecomm/v2/payments', { body: expressBody(noExpress, 'no-express', { staticShippingDetails: STATIC_SHIPPING }) });
    assert.equal(refused.status, 400);
    assert.equal(refused.body[0].errorCode, 'merchantInfo.paymentType');
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const cases: Array<[object, object, string]> = [
      [{ consentRemovalPrefix: undefined, staticShippingDetails: STATIC_SHIPPING }, {}, 'merchantInfo.consentRemovalPrefix'],
      [{}, {}, 'merchantInfo.shippingDetailsPrefix'],
      [{ staticShippingDetails: STATIC_SHIPPING }, { scope: 'name' }, 'transaction.scope'],
      [{ staticShippingDetails: [{ isDefault: 'maybe', shippingCost: 1, shippingMethod: 'x', shippingMethodId: 'y' }] }, {}, 'merchantInfo.staticShippingDetails.0.isDefault'],
    ];
    for (const [merchantInfo, transaction, field] of cases) {
      const body = expressBody(merchant, `bad-${++counter}`, merchantInfo);
      Object.assign(body.transaction, transaction);
      const answer = await merchant.call('POST', '/ecomm/v2/payments', { body: JSON.parse(JSON.stringify(body)) });
      assert.equal(answer.status, 400, `${field}: ${answer.text}`);
      assert.equal(vippsError(answer.body).errorCode, field);
    }
  });
});

describe('userinfo', () => {
  async function approvedWithScope(merchant: MerchantClient, scope: string, msisdn: string) {
    const orderId = `scope-${++counter}`;
    const initiated = await merchant.initiate(orderId, 10_000, { transaction: { scope } });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal((await merchant.approve(orderId, initiated.body.url, msisdn)).status, 200);
    return orderId;
  }

  test('the claims match the consented scope, and only the consenting merchant can read them', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const orderId = await approvedWithScope(merchant, 'name email', '47400001');
    const details = (await merchant.details(orderId)).body;
    assert.match(details.sub, /^[0-9a-f-]{36}$/);
    assert.equal(details.userDetails.mobileNumber, '47400001');
    const token = await merchant.token();
    const claims = await httpRequest(`${kasse.baseUrl}/vipps-userinfo-api/userinfo/${details.sub}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(claims.status, 200, claims.text);
    assert.deepEqual(Object.keys(claims.body).sort(), ['email', 'email_verified', 'family_name', 'given_name', 'name', 'sub']);

    const wider = await approvedWithScope(merchant, 'address phoneNumber birthDate', '47400001');
    assert.equal((await merchant.details(wider)).body.sub, details.sub, 'one sub per user and merchant');
    const all = (await httpRequest(`${kasse.baseUrl}/vipps-userinfo-api/userinfo/${details.sub}`, { headers: { Authorization: `Bearer ${token}` } })).body;
    assert.equal(all.phone_number, '4747400001');
    assert.equal(all.birthdate, '1990-01-01');
    assert.equal(all.address.postal_code, '0191');

    const other = await MerchantClient.create(kasse.baseUrl);
    const foreign = await httpRequest(`${kasse.baseUrl}/vipps-userinfo-api/userinfo/${details.sub}`, { headers: { Authorization: `Bearer ${await other.token()}` } });
    assert.equal(foreign.status, 404);
    const noToken = await httpRequest(`${kasse.baseUrl}/vipps-userinfo-api/userinfo/${details.sub}`);
    assert.equal(noToken.status, 401);
  });

  test('a confirm in the app after the merchant cancelled is refused and leaves nothing behind: no consent is remembered', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const orderId = `late-confirm-${++counter}`;
    const initiated = await merchant.initiate(orderId, 10_000, { transaction: { scope: 'name email' } });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal((await merchant.cancel(orderId)).status, 200);
    const token = new URL(initiated.body.url as string).searchParams.get('token');
    const user = await signInToApp(kasse.baseUrl, '47400002');
    const confirmed = await user.request('POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn: '47400002' });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.result, 'error');
    assert.equal(confirmed.body.message, 'This payment has already been handled.');
    const consent = await user.request('GET', `/_kasse/app/api/payments/${token}/consent?msisdn=47400002`);
    assert.deepEqual(consent.body, { remembered: false }, 'decide first, then write: the refused approval granted no consent');
    const home = await user.request('GET', '/_kasse/app/api/users/47400002');
    assert.deepEqual(home.body.user.consents, []);
  });

  test('the Nin scope on a sales unit without it answers 403 Merchant 51', async () => {
    const merchant = await MerchantClient.create(kasse.baseUrl);
    const answer = await merchant.initiate(`nin-${++counter}`, 10_000, { transaction: { scope: 'name nin' } });
    assert.equal(answer.status, 403);
    assert.deepEqual([vippsError(answer.body).errorGroup, vippsError(answer.body).errorCode], ['Merchant', '51']);
  });
});
