// Goal: the official Vipps ecomm v2 Postman collection runs unchanged against Kasse with no failing request, and every flow it makes answers what Vipps answers; method: newman's library API against a real Kasse (startTestKasse) with a sandbox merchant and a CallbackReceiver on 127.0.0.1, first the whole collection in its own order, then its items in flow order over one shared environment, asserting every response.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import jsQR from 'jsqr';
import newman, { type NewmanRunExecution, type NewmanRunOptions, type NewmanRunSummary } from 'newman';
import { PNG } from 'pngjs';
import type { CollectionDefinition, VariableScope, VariableScopeDefinition } from 'postman-collection';
import { CallbackReceiver, type ReceivedRequest } from '../support/callback-receiver.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, createSandboxMerchant, httpRequest, type Credentials } from '../support/merchant-client.ts';
import { assertConformsToSpec } from '../support/openapi-conformance.ts';
import { specFile, specSkip } from '../support/spec-files.ts';

const COLLECTION_FILE = specFile('vipps-ecom-api-postman-collection.json');
const ENVIRONMENT_FILE = specFile('vipps-ecom-api-postman-environment.json');
const skip = specSkip('vipps-ecom-api-postman-collection.json', 'vipps-ecom-api-postman-environment.json');

/** Any 8-digit number starting with 4 or 9 is a test user: BankID verified, one card with ample funds, one address. */
const MOBILE = '91234567';
const LANDING = /^(http:\/\/127\.0\.0\.1:\d+)\/dwo-api-application\/v1\/deeplink\/vippsgateway\?v=2&token=([A-Za-z0-9_-]+)$/;

/** The collection's items, in its own order (folders flattened). */
const ITEMS = [
  'Generate QR Code PNG',
  'Get Access Token',
  'Initiate Payment',
  'Initiate Payment - Express Checkout',
  'Initiate Payment - Profile flow',
  'Get Payment Details',
  'Cancel Payment',
  'Capture Payment',
  'Force Approve Payment',
  'Refund Payment',
  'Get Userinfo',
] as const;
type ItemName = (typeof ITEMS)[number];

/** One request as newman sent it and Kasse answered it. */
interface Step {
  name: ItemName;
  code: number;
  contentType: string;
  raw: Buffer;
  text: string;
  json: any;
  /** The body newman sent, after variable substitution. */
  sent: any;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stepOf(execution: NewmanRunExecution): Step {
  const { response } = execution;
  assert.ok(response, `${execution.item.name}: newman got no response (${execution.request.url.toString()})`);
  const raw = response.stream ? Buffer.from(response.stream) : Buffer.alloc(0);
  const text = raw.toString('utf8');
  const sentRaw = execution.request.body?.raw ?? '';
  // Every answer the official collection gets from an ecomm operation has the shape the official spec documents.
  assertConformsToSpec(execution.request.method, execution.request.url.getPath(), response.code, parseJson(text));
  return {
    name: execution.item.name as ItemName,
    code: response.code,
    contentType: String(response.headers.get('Content-Type') ?? ''),
    raw,
    text,
    json: parseJson(text),
    sent: parseJson(sentRaw),
  };
}

function runNewman(options: NewmanRunOptions): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run({ timeoutRequest: 15_000, timeout: 120_000, ...options }, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

/** The newman run found no failure (no script error, no request error) and every request got a response. */
function assertRunClean(summary: NewmanRunSummary, what: string): void {
  const failures = summary.run.failures.map((f) => `${f.source?.name ?? '?'} (${f.at}): ${f.error?.message}`);
  assert.deepEqual(failures, [], `${what}: newman failures`);
  assert.equal(summary.run.stats.requests.failed ?? 0, 0, `${what}: failed requests`);
  for (const execution of summary.run.executions) assert.ok(execution.response, `${what}: ${execution.item.name} got no response`);
}

/**
 * Runs items of the collection in the order given, sharing one environment, as a person clicking through Postman
 * would. newman runs the items of one `folder` list in collection order, so the order given is split into runs of
 * items that appear in that order; the environment of each run is carried to the next.
 */
class PostmanSession {
  environment: VariableScope | VariableScopeDefinition;
  readonly steps: Step[] = [];
  constructor(
    readonly collection: CollectionDefinition,
    environment: VariableScopeDefinition,
  ) {
    this.environment = environment;
  }

  variable(key: string): unknown {
    const env = this.environment;
    if ('get' in env && typeof env.get === 'function') return env.get(key);
    return (env as VariableScopeDefinition).values?.find((v) => v.key === key)?.value;
  }

  async run(...names: ItemName[]): Promise<Step[]> {
    const groups: ItemName[][] = [];
    for (const name of names) {
      const last = groups.at(-1);
      const previous = last?.at(-1);
      if (last && previous !== undefined && ITEMS.indexOf(name) > ITEMS.indexOf(previous)) last.push(name);
      else groups.push([name]);
    }
    const steps: Step[] = [];
    for (const group of groups) {
      const summary = await runNewman({ collection: this.collection, environment: this.environment, folder: group });
      assertRunClean(summary, group.join(' → '));
      assert.deepEqual(
        summary.run.executions.map((e) => e.item.name),
        group,
      );
      this.environment = summary.environment;
      steps.push(...summary.run.executions.map(stepOf));
    }
    this.steps.push(...steps);
    return steps;
  }
}

/** A Vipps error body with exactly this error. */
function assertVippsError(step: Step, status: number, errorGroup: string, errorCode: string): void {
  assert.equal(step.code, status, `${step.name}: ${step.text}`);
  assert.ok(Array.isArray(step.json) && step.json.length === 1, `${step.name}: not a Vipps error body: ${step.text}`);
  assert.equal(step.json[0].errorGroup, errorGroup, step.text);
  assert.equal(step.json[0].errorCode, errorCode, step.text);
  assert.equal(typeof step.json[0].contextId, 'string');
}

function assertOk(step: Step, name: ItemName): void {
  assert.equal(step.name, name);
  assert.equal(step.code, 200, `${step.name}: ${step.text}`);
}

/** The text a PNG QR code holds, read back with an independent decoder. */
function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  // jsqr is a CommonJS (UMD) module typed with `export default`: under NodeNext the call is `.default`, which it has.
  const code = jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(code, 'the PNG holds a readable QR code');
  return code.data;
}

let kasse: TestKasse;
let receiver: CallbackReceiver;
let credentials: Credentials;
let collection: CollectionDefinition;
let officialEnvironment: VariableScopeDefinition;

before(async () => {
  if (skip) return;
  kasse = await startTestKasse();
  receiver = await new CallbackReceiver().start();
  credentials = await createSandboxMerchant(kasse.baseUrl);
  collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as CollectionDefinition;
  officialEnvironment = JSON.parse(readFileSync(ENVIRONMENT_FILE, 'utf8')) as VariableScopeDefinition;
});
after(async () => {
  if (skip) return;
  await receiver.close();
  await kasse.close();
});

/**
 * The official environment with this Kasse's URL, the sandbox merchant's keys and a test user filled in; the
 * merchant's URLs point at the CallbackReceiver (example.com is not reachable here). Everything else is as shipped.
 */
function environmentFor(keys: Credentials, prefix = 'postman'): VariableScopeDefinition {
  const filled: Record<string, string> = {
    base_url: kasse.baseUrl,
    client_id: keys.clientId,
    client_secret: keys.clientSecret,
    'Ocp-Apim-Subscription-Key': keys.subscriptionKey,
    merchantSerialNumber: keys.merchantSerialNumber,
    mobileNumber: MOBILE,
    callbackPrefix: `${receiver.url}/${prefix}/callbacks`,
    fallBack: `${receiver.url}/${prefix}/fallback`,
    shippingDetailsPrefix: `${receiver.url}/${prefix}/shipping`,
    consentRemovalPrefix: `${receiver.url}/${prefix}/consents`,
  };
  const copy = structuredClone(officialEnvironment);
  for (const variable of copy.values ?? []) {
    if (variable.key !== undefined && variable.key in filled) variable.value = filled[variable.key];
  }
  for (const key of Object.keys(filled)) {
    assert.ok(copy.values?.some((v) => v.key === key), `the official environment has ${key}`);
  }
  return copy;
}

function session(keys: Credentials = credentials, prefix?: string): PostmanSession {
  return new PostmanSession(collection, environmentFor(keys, prefix));
}

/** Resolves with the requests that arrived at `path` once there is at least one (bounded by waitFor's timeout). */
async function received(path: string): Promise<ReceivedRequest[]> {
  for (;;) {
    const hits = receiver.requests.filter((r) => r.url === path);
    if (hits.length > 0) return hits;
    await receiver.waitFor(receiver.requests.length + 1);
  }
}

/** Get Access Token: 200 with a bearer token, which the collection's script stores as access_token. */
function assertToken(s: PostmanSession, step: Step): void {
  assertOk(step, 'Get Access Token');
  assert.equal(step.json.token_type, 'Bearer');
  assert.equal(step.json.expires_in, '3600');
  assert.match(step.json.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(s.variable('access_token'), step.json.access_token);
}

/**
 * An initiate: 200 with the orderId the collection made (MSN + a millisecond timestamp) and a landing URL of this
 * Kasse; the collection's script stores the URL and the token it cuts from it with url.split('=', 3)[2].
 */
function assertInitiated(s: PostmanSession, step: Step, name: ItemName): { orderId: string; url: string; token: string } {
  assertOk(step, name);
  const orderId = s.variable('orderId');
  assert.equal(step.json.orderId, orderId);
  assert.match(String(orderId), new RegExp(`^${credentials.merchantSerialNumber}\\d{13}$`));
  const match = LANDING.exec(step.json.url);
  assert.ok(match, `a Kasse landing URL: ${step.json.url}`);
  assert.equal(match[1], kasse.baseUrl);
  assert.equal(s.variable('vippsLandingPageURL'), step.json.url);
  assert.equal(s.variable('payment_token'), match[2]);
  assert.equal(step.sent.customerInfo.mobileNumber, MOBILE);
  assert.equal(step.sent.transaction.amount, 499);
  assert.match(step.sent.merchantInfo.authToken, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  return { orderId: String(orderId), url: step.json.url, token: match[2]! };
}

const operations = (details: Step) => details.json.transactionLogHistory.map((e: { operation: string }) => e.operation);

describe('the official Postman collection against Kasse', { skip }, () => {
  test('the whole collection in its own order: no request fails, each answers what that order calls for', async () => {
    const s = session(credentials, 'whole');
    const summary = await runNewman({ collection, environment: s.environment });
    assertRunClean(summary, 'the whole collection');
    const steps = summary.run.executions.map(stepOf);
    assert.deepEqual(
      steps.map((step) => step.name),
      ITEMS,
    );
    s.environment = summary.environment;
    const [qr, token, initiate, express, profile, details, cancel, capture, approve, refund, userinfo] = steps;

    // QR comes first, before any access token: the placeholder in the environment is no token.
    assertVippsError(qr!, 401, 'Authentication', '401');
    assertOk(token!, 'Get Access Token');
    assert.equal(s.variable('access_token'), token!.json.access_token);

    // Three initiates, each a new orderId and landing URL; the last (the profile flow) is the one the rest act on.
    const initiated = [initiate!, express!, profile!].map((step) => {
      assert.equal(step.code, 200, `${step.name}: ${step.text}`);
      assert.match(step.json.url, LANDING);
      return step.json.orderId as string;
    });
    assert.equal(new Set(initiated).size, 3);
    assert.equal(s.variable('orderId'), initiated[2]);

    // Details of the unanswered profile payment: only INITIATE, no sub yet (the script stores null).
    assertOk(details!, 'Get Payment Details');
    assert.equal(details!.json.orderId, initiated[2]);
    assert.deepEqual(operations(details!), ['INITIATE']);
    assert.equal(details!.json.sub, undefined);
    assert.equal(s.variable('sub'), null);

    // Cancel of the initiated payment succeeds; capture, force approve and refund of a cancelled payment are refused.
    assertOk(cancel!, 'Cancel Payment');
    assert.equal(cancel!.json.transactionInfo.status, 'Cancelled');
    assert.equal(cancel!.json.transactionInfo.transactionText, 'Transaction cancelled through Postman');
    assertVippsError(capture!, 400, 'VippsError', '91');
    assertVippsError(approve!, 400, 'VippsError', '92');
    assertVippsError(refund!, 400, 'Payment', '73');

    // No sub: userinfo/null is nobody's.
    assertVippsError(userinfo!, 404, 'InvalidRequest', 'id');
  });

  test('regular payment: token → initiate → force approve → capture → refund → details, with the RESERVED callback', async () => {
    const s = session(credentials, 'regular');
    const [token, initiate, approve, capture, refund, details] = await s.run(
      'Get Access Token',
      'Initiate Payment',
      'Force Approve Payment',
      'Capture Payment',
      'Refund Payment',
      'Get Payment Details',
    );
    assertToken(s, token!);
    const { orderId } = assertInitiated(s, initiate!, 'Initiate Payment');
    assertOk(approve!, 'Force Approve Payment');

    assertOk(capture!, 'Capture Payment');
    assert.equal(capture!.json.orderId, orderId);
    assert.deepEqual(
      { ...capture!.json.transactionInfo, transactionId: undefined, timeStamp: undefined },
      { amount: 499, status: 'Captured', transactionText: 'Transaction captured through Postman', transactionId: undefined, timeStamp: undefined },
    );
    assert.deepEqual(capture!.json.transactionSummary, { capturedAmount: 499, remainingAmountToCapture: 0, refundedAmount: 0, remainingAmountToRefund: 499 });

    assertOk(refund!, 'Refund Payment');
    assert.equal(refund!.json.transactionInfo.status, 'Refund');
    assert.equal(refund!.json.transactionInfo.amount, 499);
    assert.equal(refund!.json.transactionInfo.transactionText, 'Transaction refunded through Postman');
    assert.deepEqual(refund!.json.transactionSummary, { capturedAmount: 499, remainingAmountToCapture: 0, refundedAmount: 499, remainingAmountToRefund: 0 });

    assertOk(details!, 'Get Payment Details');
    assert.equal(details!.json.orderId, orderId);
    assert.deepEqual(operations(details!), ['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE']);
    for (const entry of details!.json.transactionLogHistory) {
      assert.equal(entry.amount, 499);
      assert.equal(entry.operationSuccess, true);
    }
    // Capture and refund carry X-Request-Id: {{orderId}}.
    assert.deepEqual(
      details!.json.transactionLogHistory.map((e: { requestId: string }) => e.requestId),
      [orderId, orderId, '', ''],
    );
    // /details adds the card's BIN (the test user's default Visa card).
    assert.deepEqual(details!.json.transactionSummary, { ...refund!.json.transactionSummary, bankIdentificationNumber: 492560 });
    // No scope, not express: nothing personal is shared, and the script's `sub` is null.
    assert.equal(details!.json.sub, undefined);
    assert.equal(details!.json.userDetails, undefined);
    assert.equal(details!.json.shippingDetails, undefined);
    assert.equal(s.variable('sub'), null);

    const [callback, ...more] = await received(`/regular/callbacks/v2/payments/${orderId}`);
    assert.equal(more.length, 0);
    assert.equal(callback!.method, 'POST');
    assert.equal(callback!.headers.authorization, initiate!.sent.merchantInfo.authToken);
    const body = callback!.body as { orderId: string; merchantSerialNumber: string; transactionInfo: { status: string; amount: number } };
    assert.equal(body.orderId, orderId);
    assert.equal(body.merchantSerialNumber, credentials.merchantSerialNumber);
    assert.equal(body.transactionInfo.status, 'RESERVED');
    assert.equal(body.transactionInfo.amount, 499);
  });

  test('cancel before the user acts: token → initiate → cancel → details', async () => {
    const s = session(credentials, 'cancel-initiated');
    const [token, initiate, cancel, details] = await s.run('Get Access Token', 'Initiate Payment', 'Cancel Payment', 'Get Payment Details');
    assertToken(s, token!);
    const { orderId } = assertInitiated(s, initiate!, 'Initiate Payment');
    assertOk(cancel!, 'Cancel Payment');
    assert.equal(cancel!.json.orderId, orderId);
    assert.equal(cancel!.json.transactionInfo.status, 'Cancelled');
    assert.equal(cancel!.json.transactionInfo.transactionText, 'Transaction cancelled through Postman');
    assertOk(details!, 'Get Payment Details');
    assert.deepEqual(operations(details!), ['CANCEL', 'INITIATE']);
  });

  test('cancel of a reservation: token → initiate → force approve → cancel → details (VOID), then capture is refused', async () => {
    const s = session(credentials, 'cancel-reserved');
    const [token, initiate, approve, cancel, details, capture] = await s.run(
      'Get Access Token',
      'Initiate Payment',
      'Force Approve Payment',
      'Cancel Payment',
      'Get Payment Details',
      'Capture Payment',
    );
    assertToken(s, token!);
    assertInitiated(s, initiate!, 'Initiate Payment');
    assertOk(approve!, 'Force Approve Payment');
    assertOk(cancel!, 'Cancel Payment');
    assert.equal(cancel!.json.transactionInfo.status, 'Cancelled');
    assert.deepEqual(cancel!.json.transactionSummary, { capturedAmount: 0, remainingAmountToCapture: 0, refundedAmount: 0, remainingAmountToRefund: 0 });
    assertOk(details!, 'Get Payment Details');
    // A cancelled reservation is a VOID in the log.
    assert.deepEqual(operations(details!), ['VOID', 'RESERVE', 'INITIATE']);
    assertVippsError(capture!, 400, 'VippsError', '91');
  });

  test('express checkout with static shipping: force approve picks the default method; details carry shipping and user details; amount + shipping is reserved and captured', async () => {
    const s = session(credentials, 'express');
    const [token, initiate, approve, details, capture] = await s.run(
      'Get Access Token',
      'Initiate Payment - Express Checkout',
      'Force Approve Payment',
      'Get Payment Details',
      'Capture Payment',
    );
    assertToken(s, token!);
    const { orderId } = assertInitiated(s, initiate!, 'Initiate Payment - Express Checkout');
    assert.equal(initiate!.sent.merchantInfo.paymentType, 'eComm Express Payment');
    assertOk(approve!, 'Force Approve Payment');

    assertOk(details!, 'Get Payment Details');
    assert.equal(details!.json.orderId, orderId);
    // shippingMethodId1 is the default (isDefault "Y"): 30 NOK.
    assert.deepEqual(details!.json.shippingDetails, {
      address: { addressLine1: 'Dronning Eufemias gate 42', city: 'OSLO', country: 'Norway', postCode: '0191' },
      shippingCost: 30,
      shippingMethod: 'Postman Method 1',
      shippingMethodId: 'shippingMethodId1',
    });
    const { userId, ...user } = details!.json.userDetails;
    assert.deepEqual(user, { email: `user-${MOBILE}@example.com`, firstName: 'Test', lastName: `User ${MOBILE}`, mobileNumber: MOBILE });
    assert.equal(typeof userId, 'string');
    assert.deepEqual(operations(details!), ['RESERVE', 'INITIATE']);
    const reserve = details!.json.transactionLogHistory[0];
    assert.equal(reserve.amount, 499 + 3000, 'the amount plus 30 NOK shipping');
    assert.deepEqual(details!.json.transactionSummary, {
      capturedAmount: 0,
      remainingAmountToCapture: 3499,
      refundedAmount: 0,
      remainingAmountToRefund: 0,
      bankIdentificationNumber: 492560,
    });
    // Express shares the profile: the script stores a sub.
    assert.equal(typeof details!.json.sub, 'string');
    assert.equal(s.variable('sub'), details!.json.sub);

    assertOk(capture!, 'Capture Payment');
    assert.equal(capture!.json.transactionInfo.amount, 3499);
    assert.deepEqual(capture!.json.transactionSummary, { capturedAmount: 3499, remainingAmountToCapture: 0, refundedAmount: 0, remainingAmountToRefund: 3499 });

    // The express callback: RESERVE (sic) with the shipping and user details; the static list means no shipping call.
    const [callback] = await received(`/express/callbacks/v2/payments/${orderId}`);
    const body = callback!.body as { transactionInfo: { status: string; amount: number }; shippingDetails: any; userDetails: any };
    assert.equal(body.transactionInfo.status, 'RESERVE');
    assert.equal(body.transactionInfo.amount, 3499);
    assert.equal(body.shippingDetails.shippingMethodId, 'shippingMethodId1');
    assert.equal(body.shippingDetails.address.zipCode, '0191');
    assert.equal(body.userDetails.mobileNumber, MOBILE);
    assert.equal(receiver.requests.filter((r) => r.url.startsWith('/express/shipping')).length, 0);
  });

  test('profile flow (scope address name email birthDate phoneNumber): force approve grants consent; details give the sub; userinfo answers the claims with the access token alone', async () => {
    const s = session(credentials, 'profile');
    const [token, initiate, approve, details, userinfo] = await s.run(
      'Get Access Token',
      'Initiate Payment - Profile flow',
      'Force Approve Payment',
      'Get Payment Details',
      'Get Userinfo',
    );
    assertToken(s, token!);
    const { orderId } = assertInitiated(s, initiate!, 'Initiate Payment - Profile flow');
    assert.equal(initiate!.sent.transaction.scope, 'address name email birthDate phoneNumber');
    assertOk(approve!, 'Force Approve Payment');

    assertOk(details!, 'Get Payment Details');
    assert.equal(details!.json.orderId, orderId);
    assert.deepEqual(operations(details!), ['RESERVE', 'INITIATE']);
    assert.equal(details!.json.shippingDetails, undefined);
    assert.equal(details!.json.userDetails.mobileNumber, MOBILE);
    const sub = details!.json.sub as string;
    assert.equal(typeof sub, 'string');
    assert.equal(s.variable('sub'), sub);

    assertOk(userinfo!, 'Get Userinfo');
    assert.deepEqual(userinfo!.json, {
      sub,
      name: `Test User ${MOBILE}`,
      given_name: 'Test',
      family_name: `User ${MOBILE}`,
      email: `user-${MOBILE}@example.com`,
      email_verified: true,
      phone_number: `47${MOBILE}`,
      birthdate: '1990-01-01',
      address: {
        street_address: 'Dronning Eufemias gate 42',
        postal_code: '0191',
        region: 'OSLO',
        country: 'NO',
        formatted: 'Dronning Eufemias gate 42\n0191\nOSLO\nNO',
        address_type: 'home',
      },
      other_addresses: [],
    });
  });

  test('QR: token → initiate → Generate QR Code PNG answers a PNG whose QR code is the landing URL', async () => {
    const s = session(credentials, 'qr');
    const [token, initiate, qr] = await s.run('Get Access Token', 'Initiate Payment', 'Generate QR Code PNG');
    assertToken(s, token!);
    const { url } = assertInitiated(s, initiate!, 'Initiate Payment');
    assertOk(qr!, 'Generate QR Code PNG');
    assert.equal(qr!.contentType, 'image/png');
    assert.deepEqual([...qr!.raw.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(decodeQrPng(qr!.raw), url);
    assert.deepEqual(qr!.sent, { url });
  });

  test('QR: a url that is not a Kasse landing page, or is another merchant’s payment, is refused with 400 InvalidRequest url', async () => {
    const s = session(credentials, 'qr-refused');
    const [token] = await s.run('Get Access Token');
    assertToken(s, token!);
    const other = await MerchantClient.create(kasse.baseUrl);
    const othersPayment = await other.initiate(`qr-other-${Date.now()}`, 1000);
    assert.equal(othersPayment.status, 200, othersPayment.text);
    for (const url of [
      'https://example.com/',
      `https://example.com/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=${MerchantClient.tokenOf(othersPayment.body.url)}`,
      `${kasse.baseUrl}/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=no-such-token`,
      `${kasse.baseUrl}/_kasse/health`,
      othersPayment.body.url,
    ]) {
      const env = s.environment as VariableScope;
      env.set('vippsLandingPageURL', url, 'string');
      const [qr] = await s.run('Generate QR Code PNG');
      assertVippsError(qr!, 400, 'InvalidRequest', 'url');
    }
  });
});

describe('POST /qr/v1 beyond the collection’s PNG', { skip }, () => {
  let merchant: MerchantClient;
  let url: string;
  before(async () => {
    merchant = new MerchantClient(kasse.baseUrl, credentials);
    const initiated = await merchant.initiate(`qr-direct-${Date.now()}`, 2500);
    assert.equal(initiated.status, 200, initiated.text);
    url = initiated.body.url;
  });

  const qr = async (accept: string | null, body: unknown = { url }, auth = true) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(auth ? await merchant.authHeaders() : {}) };
    if (accept !== null) headers.accept = accept;
    const response = await fetch(`${kasse.baseUrl}/qr/v1`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', raw: Buffer.from(await response.arrayBuffer()) };
  };

  test('Accept: image/svg+xml answers an SVG QR code', async () => {
    const answer = await qr('image/svg+xml');
    assert.equal(answer.status, 200);
    assert.equal(answer.contentType, 'image/svg+xml');
    const svg = answer.raw.toString('utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    assert.match(svg, /<path[^>]* d="M/);
  });

  test('Accept: text/targetUrl answers {url} of a PNG of the same QR code, fetchable without credentials', async () => {
    const answer = await qr('text/targetUrl');
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.raw.toString('utf8')) as { url: string };
    assert.ok(body.url.startsWith(`${kasse.baseUrl}/`), body.url);
    const image = await fetch(body.url);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.equal(decodeQrPng(Buffer.from(await image.arrayBuffer())), url);
  });

  test('no Accept, */* or image/* answer PNG; an Accept Kasse cannot produce answers 406', async () => {
    for (const accept of [null, '*/*', 'image/*', 'application/json, image/png;q=0.9']) {
      const answer = await qr(accept);
      assert.equal(answer.status, 200, String(accept));
      assert.equal(answer.contentType, 'image/png', String(accept));
      assert.equal(decodeQrPng(answer.raw), url);
    }
    const refused = await qr('application/pdf');
    assert.equal(refused.status, 406);
    assert.equal(JSON.parse(refused.raw.toString('utf8'))[0].errorCode, 'Accept');
  });

  test('without credentials 401; without a url 400 InvalidRequest url', async () => {
    assert.equal((await qr('image/png', { url }, false)).status, 401);
    const missing = await httpRequest(`${kasse.baseUrl}/qr/v1`, { method: 'POST', headers: { ...(await merchant.authHeaders()), accept: 'image/png' }, body: {} });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body[0].errorGroup, 'InvalidRequest');
    assert.equal(missing.body[0].errorCode, 'url');
  });
});
