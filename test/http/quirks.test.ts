// Goal: Kasse accepts what deployed Vipps clients really send (path case, trailing slashes, numeric MSNs, legacy fields, odd content types, query-string callback prefixes) and answers bad input with 400/404 Vipps bodies, never 500; method: real HTTP against a Kasse on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { MerchantClient, type HttpResult } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

const newMerchant = () => MerchantClient.create(kasse.baseUrl);

/**
 * Sends exactly these body bytes. A Uint8Array body makes fetch add no Content-Type of its own,
 * so `contentType: undefined` really sends none.
 */
async function sendRaw(
  merchant: MerchantClient,
  method: string,
  path: string,
  body: string,
  contentType: string | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(await merchant.authHeaders()), ...extraHeaders };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${kasse.baseUrl}${path}`, { method, headers, body: new TextEncoder().encode(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

const operations = (details: HttpResult) => details.body.transactionLogHistory.map((e: { operation: string }) => e.operation);

describe('paths', () => {
  test('paths match case-insensitively (/Ecomm/v2/payments, /ECOMM/V2/PAYMENTS/{orderId}/DETAILS) and the orderId keeps its case', async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.call('POST', '/Ecomm/v2/payments', { body: merchant.initiateBody('MixedCase-Order', 10000) });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal(initiated.body.orderId, 'MixedCase-Order');
    const details = await merchant.call('GET', '/ECOMM/V2/PAYMENTS/MixedCase-Order/DETAILS');
    assert.equal(details.status, 200, details.text);
    assert.equal(details.body.orderId, 'MixedCase-Order');
    // orderIds are case-sensitive: the lower-case id is another (unknown) order.
    assertVippsError(await merchant.call('GET', '/ECOMM/V2/PAYMENTS/mixedcase-order/DETAILS'), {
      status: 404,
      group: 'Merchant',
      code: '35',
      message: `The orderId 'mixedcase-order' does not exist for MSN ${merchant.msn}.`,
    });
    const captured = await merchant.call('POST', '/Ecomm/V2/Payments/MixedCase-Order/Capture', {
      body: { merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { transactionText: 'x' } },
    });
    assertVippsError(captured, { status: 400, group: 'Payment', code: '62', message: /^The amount you tried to capture is not reserved/ });
  });

  test('a trailing slash is accepted, as the Postman collection POSTs to /ecomm/v2/payments/', async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.call('POST', '/ecomm/v2/payments/', { body: merchant.initiateBody('trailing-1', 10000) });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal((await merchant.call('GET', '/ecomm/v2/payments/trailing-1/details/')).status, 200);
    assert.equal((await merchant.call('GET', '/ecomm/v2/payments/trailing-1/status/')).status, 200);
  });

  test('an unknown path answers 404 with a Vipps error body', async () => {
    const merchant = await newMerchant();
    for (const [method, path] of [
      ['GET', '/ecomm/v2/nothing-here'],
      ['POST', '/ecomm/v3/payments'],
      ['POST', '/ecomm/v2/nope'],
    ] as const) {
      const result = await merchant.call(method, path);
      assertVippsError(result, { status: 404, group: 'InvalidRequest', code: 'path', message: `No such endpoint: ${method} ${path}` });
    }
  });
});

describe('request bodies', () => {
  test('merchantSerialNumber is accepted as a string and as a number', async () => {
    const merchant = await newMerchant();
    const asString = await merchant.initiate('msn-string', 10000, { merchantInfo: { merchantSerialNumber: merchant.msn } });
    assert.equal(asString.status, 200, asString.text);
    const asNumber = await merchant.initiate('msn-number', 10000, { merchantInfo: { merchantSerialNumber: Number(merchant.msn) } });
    assert.equal(asNumber.status, 200, asNumber.text);
    assert.equal((await merchant.approve('msn-number', asNumber.body.url)).status, 200);
    const captured = await merchant.call('POST', '/ecomm/v2/payments/msn-number/capture', {
      body: { merchantInfo: { merchantSerialNumber: Number(merchant.msn) }, transaction: { amount: 1000, transactionText: 'x' } },
      headers: { 'X-Request-Id': 'num' },
    });
    assert.equal(captured.status, 200, captured.text);
  });

  test('unknown and legacy fields (timeStamp, useExplicitCheckoutFlow, refOrderId, …) are accepted and ignored', async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.initiate('legacy-1', 10000, {
      transaction: {
        timeStamp: '2018-12-12T11:18:38.246Z',
        useExplicitCheckoutFlow: true,
        refOrderId: 'parent-order',
        somethingNew: { nested: [1, 2, 3] },
      },
      merchantInfo: { someFutureField: 'x' },
      customerInfo: { unknownCustomerField: 42 },
    });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal((await merchant.approve('legacy-1', initiated.body.url)).status, 200);
    const captured = await merchant.call('POST', '/ecomm/v2/payments/legacy-1/capture', {
      body: { merchantInfo: { merchantSerialNumber: merchant.msn, extra: 1 }, transaction: { transactionText: 'x', timeStamp: 'now' }, top: true },
    });
    assert.equal(captured.status, 200, captured.text);
  });

  test('Content-Type application/json;charset=UTF-8 and a missing Content-Type both parse as JSON', async () => {
    const merchant = await newMerchant();
    const charset = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', JSON.stringify(merchant.initiateBody('ct-charset', 10000)), 'application/json;charset=UTF-8');
    assert.equal(charset.status, 200, charset.text);
    const none = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', JSON.stringify(merchant.initiateBody('ct-none', 10000)), undefined);
    assert.equal(none.status, 200, none.text);
    const details = await sendRaw(merchant, 'PUT', '/ecomm/v2/payments/ct-none/cancel', JSON.stringify({
      merchantInfo: { merchantSerialNumber: merchant.msn },
      transaction: { transactionText: 'no content type' },
    }), undefined);
    assert.equal(details.status, 200, details.text);
  });

  test('a capture amount omitted, null or 0 captures everything that remains', async () => {
    const merchant = await newMerchant();
    for (const [orderId, amount] of [
      ['full-omitted', undefined],
      ['full-null', null],
      ['full-zero', 0],
    ] as const) {
      await merchant.reserved(orderId, 12300);
      assert.equal((await merchant.capture(orderId, 2300, `${orderId}-part`)).status, 200);
      const captured = await merchant.capture(orderId, amount, `${orderId}-rest`);
      assert.equal(captured.status, 200, captured.text);
      assert.equal(captured.body.transactionInfo.amount, 10000, `${orderId}: this call captured the remaining 10000`);
      assert.deepEqual(captured.body.transactionSummary, {
        capturedAmount: 12300,
        remainingAmountToCapture: 0,
        refundedAmount: 0,
        remainingAmountToRefund: 12300,
      });
    }
  });

  test('a refund amount omitted refunds everything captured', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('refund-all', 5000);
    assert.equal((await merchant.capture('refund-all', null, 'cap')).status, 200);
    const refunded = await merchant.refund('refund-all', undefined, 'ref');
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(refunded.body.transaction.amount, 5000);
    assert.equal(refunded.body.transactionSummary.remainingAmountToRefund, 0);
  });
});

describe('initiate answers and force approve', () => {
  test("the Postman extraction url.split('=', 3)[2] yields the token that force approve accepts", async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.initiate('postman-1', 10000);
    assert.equal(initiated.status, 200);
    const url: string = initiated.body.url;
    assert.ok(url.startsWith(`${kasse.baseUrl}/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=`), url);
    const token = url.split('=', 3)[2];
    assert.ok(token !== undefined && token.length > 20, `token: ${token}`);
    assert.ok(!token.includes('=') && !token.includes('&'), 'the token survives the split');
    const approved = await merchant.call('POST', '/ecomm/v2/integration-test/payments/postman-1/approve', {
      body: { customerPhoneNumber: '91234567', token },
    });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((await merchant.status('postman-1')).body.transactionInfo.status, 'RESERVE');
  });

  test('isApp: true answers a vipps:// deeplink and does not validate fallBack', async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.initiate('is-app-1', 10000, { merchantInfo: { isApp: true, fallBack: 'myshop' } });
    assert.equal(initiated.status, 200, initiated.text);
    const url: string = initiated.body.url;
    assert.ok(url.startsWith('vipps://'), url);
    const token = url.split('token=')[1] ?? '';
    const approved = await merchant.call('POST', '/ecomm/v2/integration-test/payments/is-app-1/approve', {
      body: { customerPhoneNumber: '91234567', token },
    });
    assert.equal(approved.status, 200, approved.text);
  });

  test('a callbackPrefix with a query string gets the callback at prefix + /v2/payments/<orderId>, with authToken verbatim', async () => {
    const receiver = await new CallbackReceiver().start();
    try {
      const merchant = await newMerchant();
      const authToken = 'Basic VmlwcHM6c2VjcmV0';
      const callbackPrefix = `${receiver.url}/cb?tk=abc&callback=`;
      const initiated = await merchant.initiate('cb-query-1', 10000, { merchantInfo: { callbackPrefix, authToken } });
      assert.equal(initiated.status, 200, initiated.text);
      assert.equal((await merchant.approve('cb-query-1', initiated.body.url)).status, 200);
      const [callback] = await receiver.waitFor(1);
      assert.ok(callback);
      assert.equal(callback.method, 'POST');
      assert.equal(callback.url, '/cb?tk=abc&callback=/v2/payments/cb-query-1');
      assert.equal(callback.headers.authorization, authToken);
      assert.match(callback.headers['content-type'] ?? '', /^application\/json/);
      assert.deepEqual(callback.body, {
        merchantSerialNumber: merchant.msn,
        orderId: 'cb-query-1',
        transactionInfo: {
          amount: 10000,
          status: 'RESERVED',
          timeStamp: new Date(kasse.clock.nowMs()).toISOString(),
          transactionId: (callback.body as { transactionInfo: { transactionId: string } }).transactionInfo.transactionId,
        },
      });
      assert.match((callback.body as { transactionInfo: { transactionId: string } }).transactionInfo.transactionId, /^\d{10,}$/);
    } finally {
      await receiver.close();
    }
  });
});

describe('bad input is 400 InvalidRequest, never 500', () => {
  test('malformed JSON answers 400 InvalidRequest', async () => {
    const merchant = await newMerchant();
    for (const text of ['{', '{"customerInfo": {}, }', 'not json at all', '{"a":1}garbage']) {
      const result = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', text, 'application/json');
      assertVippsError(result, { status: 400, group: 'InvalidRequest', code: 'body', message: /.+/ });
    }
  });

  test('wrong JSON types answer 400 InvalidRequest naming the field', async () => {
    const merchant = await newMerchant();
    const cases: Array<[string, unknown]> = [
      ['transaction.amount', { ...merchant.initiateBody('types-1', 10000), transaction: { orderId: 'types-1', amount: '10000', transactionText: 'x' } }],
      ['transaction', { ...merchant.initiateBody('types-2', 10000), transaction: [] }],
      ['merchantInfo', { ...merchant.initiateBody('types-3', 10000), merchantInfo: null }],
      ['merchantInfo.isApp', merchant.initiateBody('types-4', 10000, { merchantInfo: { isApp: 'yes' } })],
      ['customerInfo', { merchantInfo: merchant.initiateBody('t', 1).merchantInfo, transaction: merchant.initiateBody('types-5', 10000).transaction }],
    ];
    for (const [field, body] of cases) {
      const result = await merchant.call('POST', '/ecomm/v2/payments', { body });
      assertVippsError(result, { status: 400, group: 'InvalidRequest', code: field, message: new RegExp(`^${field.replace('.', '\\.')} `) });
    }
    for (const text of ['[]', '"a string"', '42', 'null', 'true']) {
      const result = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', text, 'application/json');
      assert.equal(result.status, 400, `${text}: ${result.text}`);
      assert.equal(result.body[0].errorGroup, 'InvalidRequest', text);
    }
    await merchant.reserved('types-cap', 10000);
    const badCapture = await merchant.call('POST', '/ecomm/v2/payments/types-cap/capture', {
      body: { merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { amount: 12.5, transactionText: 'x' } },
    });
    assertVippsError(badCapture, { status: 400, group: 'InvalidRequest', code: 'transaction.amount', message: /^transaction\.amount / });
    const badCancel = await merchant.call('PUT', '/ecomm/v2/payments/types-cap/cancel', {
      body: { merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { transactionText: 'x' }, shouldReleaseRemainingFunds: 'true' },
    });
    assertVippsError(badCancel, { status: 400, group: 'InvalidRequest', code: 'shouldReleaseRemainingFunds', message: /^shouldReleaseRemainingFunds / });
  });

  test('a 200 KB body answers 413 InvalidRequest', async () => {
    const merchant = await newMerchant();
    const body = merchant.initiateBody('big-1', 10000, { transaction: { padding: 'x'.repeat(200 * 1024) } });
    const result = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', JSON.stringify(body), 'application/json');
    assertVippsError(result, { status: 413, group: 'InvalidRequest', code: 'body', message: /.+/ });
    // Nothing was created.
    assert.equal((await merchant.details('big-1')).status, 404);
  });

  test('prototype-pollution keys (__proto__, constructor.prototype) answer 400 InvalidRequest and pollute nothing', async () => {
    const merchant = await newMerchant();
    const valid = JSON.stringify(merchant.initiateBody('proto-1', 10000));
    const poisoned = [
      `{"__proto__": {"polluted": "yes"}, ${valid.slice(1)}`,
      valid.replace('"customerInfo":{}', '"customerInfo":{"__proto__":{"polluted":"yes"}}'),
      `{"constructor": {"prototype": {"polluted": "yes"}}, ${valid.slice(1)}`,
    ];
    for (const text of poisoned) {
      assert.notEqual(text, valid);
      const result = await sendRaw(merchant, 'POST', '/ecomm/v2/payments', text, 'application/json');
      assertVippsError(result, { status: 400, group: 'InvalidRequest', code: 'body', message: /.+/ });
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await merchant.details('proto-1')).status, 404);
  });
});
