// Goal: one focused test per defect the reliability fuzzer (test/reliability/fuzz.test.ts) found, so each stays fixed; method: the exact request shape that triggered it, sent over a raw socket or node:http to a Kasse on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { WireClient, notAVippsError, type WireResponse } from '../reliability/fuzz-support.ts';

let kasse: TestKasse;
let wire: WireClient;
let merchant: MerchantClient;
let auth: Array<[string, string]>;

before(async () => {
  kasse = await startTestKasse();
  wire = WireClient.of(kasse);
  merchant = await MerchantClient.create(kasse.baseUrl);
  auth = Object.entries(await merchant.authHeaders());
});
after(async () => {
  wire.close();
  await kasse.close();
});

const get = (path: string) => wire.send({ method: 'GET', path, headers: auth, body: null, raw: null });
const raw = (text: string) => wire.send({ method: '', path: '', headers: [], body: null, raw: Buffer.from(text, 'utf8') });
const authLines = () => auth.map(([name, value]) => `${name}: ${value}\r\n`).join('');

function assertVippsError(response: WireResponse, status: number, group: string, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(notAVippsError(response.json), null, response.text);
  const [error] = response.json as Array<{ errorGroup: string; errorCode: string; contextId: string }>;
  assert.equal(error!.errorGroup, group);
  assert.equal(error!.errorCode, code);
}

describe('router refusals answer with the Vipps error body (fuzz finding 1)', () => {
  // Found by the fuzzer: PUT /ecomm/v2/payments/<201+ × "a">/cancel answered 414 {"error":"Bad Request","code":"FST_ERR_MAX_PARAM_LENGTH",…}.
  test('an orderId longer than the router’s parameter limit is 400 InvalidRequest, not fastify’s 414 object', async () => {
    for (const length of [201, 1_000, 8_000]) {
      assertVippsError(await get(`/ecomm/v2/payments/${'a'.repeat(length)}/details`), 400, 'InvalidRequest', 'path');
    }
    // Just under the limit it is the schema that refuses it, as before.
    assertVippsError(await get(`/ecomm/v2/payments/${'a'.repeat(200)}/details`), 400, 'InvalidRequest', 'orderId');
  });

  // Found by the fuzzer: a path with a broken percent-escape answered 400 {"error":"Bad Request","code":"FST_ERR_BAD_URL",…}.
  test('a broken percent-escape in the path is 400 InvalidRequest with the Vipps error body', async () => {
    for (const id of ['a%ZZ', 'a%', '%ED%A0%80', '%C0%AF']) {
      assertVippsError(await get(`/ecomm/v2/payments/${id}/capture`), 400, 'InvalidRequest', 'path');
    }
  });

  test('the user side gets the same treatment (its routes share the router)', async () => {
    assertVippsError(await get(`/_kasse/landing/${'t'.repeat(300)}`), 400, 'InvalidRequest', 'path');
  });
});

describe('requests Node’s HTTP parser refuses answer with the Vipps error body (fuzz finding 2)', () => {
  // Found by the fuzzer: GET …/details with "Content-Length: abc" answered 400 {"error":"Bad Request","message":"Client Error","statusCode":400}.
  test('broken framing (bad or conflicting Content-Length, bad chunk) is 400 InvalidRequest', async () => {
    const head = `POST /ecomm/v2/payments/x/capture HTTP/1.1\r\nHost: 127.0.0.1\r\n${authLines()}Content-Type: application/json\r\n`;
    for (const framing of [
      'Content-Length: abc\r\n\r\n{}',
      'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    ]) {
      assertVippsError(await raw(`${head}${framing}`), 400, 'InvalidRequest', 'request');
    }
  });

  test('an unknown method or raw non-ASCII bytes in the path is 400 InvalidRequest', async () => {
    assertVippsError(await raw(`FUZZ /ecomm/v2/payments/x/details HTTP/1.1\r\nHost: 127.0.0.1\r\n${authLines()}\r\n`), 400, 'InvalidRequest', 'request');
    assertVippsError(await raw(`GET /ecomm/v2/payments/æøå/details HTTP/1.1\r\nHost: 127.0.0.1\r\n${authLines()}\r\n`), 400, 'InvalidRequest', 'request');
  });

  test('headers over Node’s 16 KB limit keep status 431, now with the Vipps error body', async () => {
    const response = await raw(`GET /ecomm/v2/payments/x/details HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'h'.repeat(17 * 1024)}\r\n\r\n`);
    assertVippsError(response, 431, 'InvalidRequest', 'request');
  });

  // Found by the fuzzer (allowed until now as Node's own answers): a request without Host got a bare, empty 400 and an
  // unknown Expect a bare, empty 417.
  test('an HTTP/1.1 request without Host is 400 InvalidRequest naming the header', async () => {
    const response = await raw(`GET /ecomm/v2/payments/x/details HTTP/1.1\r\n${authLines()}\r\n`);
    assertVippsError(response, 400, 'InvalidRequest', 'host');
    // HTTP/1.0 has no Host rule: it is served.
    assertVippsError(await raw(`GET /ecomm/v2/payments/never-used/details HTTP/1.0\r\n${authLines()}\r\n`), 404, 'Merchant', '35');
  });

  test('an expectation other than 100-continue is 417 with the Vipps error body', async () => {
    const body = JSON.stringify({ merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { amount: 100, transactionText: 'x' } });
    for (const expectation of ['200-ok', 'x', 'fast']) {
      const response = await raw(
        `POST /ecomm/v2/payments/x/capture HTTP/1.1\r\nHost: 127.0.0.1\r\n${authLines()}Expect: ${expectation}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      assertVippsError(response, 417, 'InvalidRequest', 'expect');
    }
  });

  test('the server keeps serving on new connections afterwards', async () => {
    await raw('FUZZ / HTTP/1.1\r\n\r\n');
    const response = await get('/ecomm/v2/payments/never-used/details');
    assertVippsError(response, 404, 'Merchant', '35');
  });
});

for (const dialect of testDialects()) {
  describe(`a NUL character in a body string is 400 InvalidRequest naming the field, not stored or 500 (fuzz finding 3, ${dialect})`, () => {
    // Found by the fuzzer on PostgreSQL: POST /ecomm/v2/payments with "transactionText": "fuzz\u0000" answered 500 VippsError 99
    // (PostgreSQL cannot store U+0000 in text); SQLite stored it. Both engines now refuse it alike.
    let engine: TestKasse;
    let client: MerchantClient;
    let reservedToken: string;
    before(async () => {
      engine = await startTestKasse({ dialect });
      client = await MerchantClient.create(engine.baseUrl);
      const initiated = await client.initiate('nul-reserved', 10_000);
      reservedToken = MerchantClient.tokenOf(initiated.body.url);
      assert.equal((await client.approve('nul-reserved', initiated.body.url)).status, 200);
    });
    after(() => engine.close());

    const expectNul = (result: { status: number; body: unknown; text: string }, field: string) => {
      assert.equal(result.status, 400, result.text);
      const [error] = result.body as Array<{ errorGroup: string; errorCode: string; errorMessage: string }>;
      assert.equal(error!.errorGroup, 'InvalidRequest');
      assert.equal(error!.errorCode, field);
      assert.equal(error!.errorMessage, `${field} must not contain the NUL character (U+0000)`);
    };

    test('initiate: transactionText, authToken, callbackPrefix and fallBack', async () => {
      expectNul(await client.initiate('nul-1', 1000, { transaction: { transactionText: 'fuzz\u0000' } }), 'transaction.transactionText');
      expectNul(await client.initiate('nul-2', 1000, { merchantInfo: { authToken: 'a\u0000b' } }), 'merchantInfo.authToken');
      expectNul(await client.initiate('nul-3', 1000, { merchantInfo: { callbackPrefix: 'http://127.0.0.1:9/\u0000' } }), 'merchantInfo.callbackPrefix');
      expectNul(await client.initiate('nul-4', 1000, { merchantInfo: { fallBack: 'https://127.0.0.1:9/\u0000' } }), 'merchantInfo.fallBack');
      // Nothing was created: the orderIds are still free.
      assert.equal((await client.initiate('nul-1', 1000)).status, 200);
    });

    test('capture, refund and cancel texts; the payment is untouched', async () => {
      expectNul(await client.capture('nul-reserved', 1000, 'nul-c1', 'shipped\u0000'), 'transaction.transactionText');
      expectNul(await client.refund('nul-reserved', 1000, 'nul-r1', '\u0000'), 'transaction.transactionText');
      expectNul(
        await client.call('PUT', '/ecomm/v2/payments/nul-reserved/cancel', {
          body: { merchantInfo: { merchantSerialNumber: client.msn }, transaction: { transactionText: 'x\u0000' } },
        }),
        'transaction.transactionText',
      );
      const details = await client.details('nul-reserved');
      assert.deepEqual(
        details.body.transactionLogHistory.map((e: { operation: string }) => e.operation),
        ['RESERVE', 'INITIATE'],
      );
    });

    test('the user side and the sandbox', async () => {
      const post = (path: string, body: unknown) => httpRequest(`${engine.baseUrl}${path}`, { method: 'POST', body });
      expectNul(await post(`/_kasse/landing/${reservedToken}/push`, { mobileNumber: '9123\u00004567' }), 'mobileNumber');
      expectNul(await post(`/_kasse/app/api/payments/${reservedToken}/confirm`, { msisdn: '91234567', cardId: 'card\u0000' }), 'cardId');
      expectNul(await post('/_kasse/sandbox/merchants', { name: 'Shop\u0000' }), 'name');
      expectNul(await post('/_kasse/sandbox/users', { msisdn: '40000009', firstName: 'A\u0000' }), 'firstName');
      expectNul(await post('/_kasse/sandbox/banks', { id: 'nul-bank', name: 'Bank\u0000' }), 'name');
      // Nested fields are named by their path; an escaped backslash followed by "u0000" is not a NUL.
      expectNul(await post('/_kasse/sandbox/users', { msisdn: '40000010', cards: [{ id: 'ok', label: 'x\u0000' }] }), 'cards.0.label');
      assert.equal((await post('/_kasse/sandbox/merchants', { name: 'Back\\u0000slash' })).status, 201);
    });
  });
}
