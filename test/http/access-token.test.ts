// Goal: POST /accesstoken/get answers what deployed clients parse — the real success shape, the Azure AD and API-management error shapes — and tokens expire on the fake clock; method: real HTTP against a Kasse on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, type Credentials } from '../support/merchant-client.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

function keyHeaders(credentials: Credentials, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function fetchToken(headers: Record<string, string>, init: { path?: string; rawBody?: string } = {}) {
  return httpRequest(`${kasse.baseUrl}${init.path ?? '/accesstoken/get'}`, {
    method: 'POST',
    headers,
    ...(init.rawBody !== undefined ? { rawBody: init.rawBody } : {}),
  });
}

function decodeJwtPart(part: string | undefined): Record<string, unknown> {
  assert.ok(part, 'JWT part present');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

test('a token answer has the real shape: every field a string, numbers as digits, access_token a JWT', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const nowSeconds = Math.floor(kasse.clock.nowMs() / 1000);
  const result = await fetchToken(keyHeaders(merchant.credentials));
  assert.equal(result.status, 200, result.text);
  assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
  const body = result.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'expires_on', 'ext_expires_in', 'not_before', 'resource', 'token_type']);
  for (const [name, value] of Object.entries(body)) assert.equal(typeof value, 'string', `${name} is a string`);
  assert.equal(body.token_type, 'Bearer');
  for (const name of ['expires_in', 'ext_expires_in', 'expires_on', 'not_before']) assert.match(body[name] as string, /^\d+$/, name);
  assert.equal(body.expires_in, '3600');
  assert.equal(body.ext_expires_in, '0');
  assert.equal(body.not_before, String(nowSeconds));
  assert.equal(body.expires_on, String(nowSeconds + 3600));
  assert.equal(body.resource, '00000002-0000-0000-c000-000000000000');
  const parts = (body.access_token as string).split('.');
  assert.equal(parts.length, 3);
  for (const part of parts) assert.match(part, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeJwtPart(parts[0]).typ, 'JWT');
  const claims = decodeJwtPart(parts[1]);
  assert.equal(claims.exp, nowSeconds + 3600);
  assert.equal(claims.nbf, nowSeconds);
});

test('the token endpoint accepts an empty body with content-type: application/json, a missing content type and --data \'\'', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const withJsonType = await fetchToken(keyHeaders(merchant.credentials, { 'content-type': 'application/json' }), { rawBody: '' });
  assert.equal(withJsonType.status, 200, withJsonType.text);
  const withCharset = await fetchToken(keyHeaders(merchant.credentials, { 'content-type': 'application/json;charset=UTF-8' }));
  assert.equal(withCharset.status, 200, withCharset.text);
  const curlStyle = await fetchToken(keyHeaders(merchant.credentials, { 'content-type': 'application/x-www-form-urlencoded' }), { rawBody: '' });
  assert.equal(curlStyle.status, 200, curlStyle.text);
  const noBodyNoType = await fetchToken(keyHeaders(merchant.credentials));
  assert.equal(noBodyNoType.status, 200, noBodyNoType.text);
});

test('the token endpoint answers at /accessToken/get too, as the Postman collection calls it', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  for (const path of ['/accessToken/get', '/ACCESSTOKEN/GET', '/accesstoken/get/']) {
    const result = await fetchToken(keyHeaders(merchant.credentials), { path });
    assert.equal(result.status, 200, `${path}: ${result.text}`);
    assert.equal(result.body.token_type, 'Bearer');
  }
});

test('a token from the endpoint works on the merchant API', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const token = (await fetchToken(keyHeaders(merchant.credentials))).body.access_token as string;
  const initiated = await httpRequest(`${kasse.baseUrl}/ecomm/v2/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey },
    body: merchant.initiateBody('at-works', 10000),
  });
  assert.equal(initiated.status, 200, initiated.text);
});

function assertAzureAdError(result: Awaited<ReturnType<typeof fetchToken>>, error: string, errorCodes: number[]): void {
  assert.equal(result.status, 401, result.text);
  const body = result.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['correlation_id', 'error', 'error_codes', 'error_description', 'timestamp', 'trace_id']);
  assert.equal(body.error, error);
  assert.deepEqual(body.error_codes, errorCodes);
  assert.equal(typeof body.error_description, 'string');
  assert.match(body.error_description as string, /^AADSTS\d+: /);
  assert.match(body.error_description as string, /\r\nTrace ID: /);
  // Azure AD's timestamp format: "2017-05-19 09:21:28Z", on the server's (fake) clock.
  assert.match(body.timestamp as string, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  assert.equal(body.timestamp, new Date(kasse.clock.nowMs()).toISOString().replace('T', ' ').slice(0, 19) + 'Z');
  assert.match(body.trace_id as string, /^[0-9a-f-]{36}$/);
  assert.match(body.correlation_id as string, /^[0-9a-f-]{36}$/);
}

test('a wrong client_secret answers 401 with the Azure AD object, error invalid_client', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  assertAzureAdError(await fetchToken(keyHeaders(merchant.credentials, { client_secret: 'wrong-secret' })), 'invalid_client', [70002, 50012]);
  assertAzureAdError(await fetchToken(keyHeaders(merchant.credentials, { client_secret: undefined })), 'invalid_client', [70002, 50012]);
});

test('an unknown or missing client_id answers 401 with the Azure AD object, error unauthorized_client', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  assertAzureAdError(
    await fetchToken(keyHeaders(merchant.credentials, { client_id: 'fb492b5e-7907-4d83-ba20-c7fb60ca35de' })),
    'unauthorized_client',
    [70001],
  );
  assertAzureAdError(await fetchToken(keyHeaders(merchant.credentials, { client_id: undefined })), 'unauthorized_client', [70001]);
});

test('a missing subscription key answers 401 {statusCode, message} as the API gateway does', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const result = await fetchToken(keyHeaders(merchant.credentials, { 'Ocp-Apim-Subscription-Key': undefined }));
  assert.equal(result.status, 401);
  assert.deepEqual(result.body, {
    statusCode: 401,
    message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  });
});

const OTHER_UNITS_KEY =
  'The subscription key is valid, but it belongs to another sales unit than the client_id (or access token) it was sent with. Send the Ocp-Apim-Subscription-Key issued together with that client_id.';

// A valid key of another sales unit is a mix-up of two key sets, not a bad key: the message says which.
test("another sales unit's subscription key answers 401 {statusCode, message} saying it is another unit's; a made-up key is invalid", async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const other = await MerchantClient.create(kasse.baseUrl);
  const foreign = await fetchToken(keyHeaders(merchant.credentials, { 'Ocp-Apim-Subscription-Key': other.credentials.subscriptionKey }));
  assert.equal(foreign.status, 401);
  assert.deepEqual(foreign.body, { statusCode: 401, message: OTHER_UNITS_KEY });
  const madeUp = await fetchToken(keyHeaders(merchant.credentials, { 'Ocp-Apim-Subscription-Key': 'da7d5b0e18a84aeda961c0c31b75c2a9' }));
  assert.equal(madeUp.status, 401);
  assert.deepEqual(madeUp.body, {
    statusCode: 401,
    message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  });
});

test('a token is valid until expires_on on the fake clock and refused after it; a new one then works', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const issued = await fetchToken(keyHeaders(merchant.credentials));
  const token = issued.body.access_token as string;
  const expiresOnMs = Number(issued.body.expires_on) * 1000;
  const call = (bearer: string) =>
    httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/at-expiry/status`, {
      headers: { Authorization: `Bearer ${bearer}`, 'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey },
    });
  // A 404 (unknown order) proves the token was accepted.
  assert.equal((await call(token)).status, 404);
  await kasse.advance(expiresOnMs - kasse.clock.nowMs() - 1_000);
  assert.equal((await call(token)).status, 404, 'one second before expires_on the token is still valid');
  await kasse.advance(1_000);
  const expired = await call(token);
  assert.equal(expired.status, 401, expired.text);
  assert.equal(expired.body[0].errorMessage, 'Access token has expired. Fetch a new one from /accesstoken/get.');
  const renewed = await fetchToken(keyHeaders(merchant.credentials));
  assert.equal(Number(renewed.body.not_before), Math.floor(kasse.clock.nowMs() / 1000));
  assert.equal((await call(renewed.body.access_token as string)).status, 404);
});

test('several tokens of one key are valid at the same time', async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const first = (await fetchToken(keyHeaders(merchant.credentials))).body.access_token as string;
  await kasse.advance(1_000);
  const second = (await fetchToken(keyHeaders(merchant.credentials))).body.access_token as string;
  assert.notEqual(first, second);
  for (const token of [first, second]) {
    const result = await httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/several/details`, {
      headers: { Authorization: `Bearer ${token}`, 'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey },
    });
    assert.equal(result.status, 404, result.text);
  }
});
