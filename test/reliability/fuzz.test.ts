// Goal: no malformed or hostile request makes Kasse answer 5xx, answer in an undocumented error shape, or change a payment; method: seeded fast-check plans, each built into one request (node:http, or raw socket bytes) against a live Kasse, checked one by one, then the seeded payments compared and reconcile(store) run.
//
// CI form: `node scripts/run-tests.mjs test/reliability/fuzz.test.ts` — 10,000 requests on SQLite, 1,500 more on PostgreSQL
// when a server answers. More locally: `RELIABILITY=full …` (100,000 on SQLite, 20,000 on PostgreSQL), or set the sizes:
// `FUZZ_RUNS=50000 FUZZ_PG_RUNS=10000 SEED=42 node scripts/run-tests.mjs test/reliability/fuzz.test.ts`.
// A failure prints the seed, fast-check's path, the request and the answer, and writes the exact bytes to
// $TMPDIR/kasse-fuzz-failure-<seed>.json; replay just that case with `SEED=<seed> FUZZ_PATH=<path> …`.
import { APP_ERROR_GROUP, APP_ERRORS } from '../../src/shared/app-sign-in.ts';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { MAX_AMOUNT_ORE } from '../../src/domain/money.ts';
import { CancelBody, ForceApproveBody, InitiateBody, PaymentActionBody } from '../../src/channels/ecomm-v2/schemas.ts';
import { AppConfirmBody, LandingPushBody, SandboxClockBody, SandboxMerchantBody } from '../../src/http/schemas/user-side.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { testDialects, type DialectName } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import {
  FULL,
  WireClient,
  intFromEnv,
  notAVippsError,
  seedEveryState,
  snapshotPayments,
  type Sentinel,
  type WireRequest,
  type WireResponse,
} from './fuzz-support.ts';

/** Fixed by default so CI is repeatable; `SEED=<n>` replays or explores another sequence. */
const SEED = intFromEnv('SEED', 20_260_105);
/** Requests on SQLite. The default keeps this file under a minute on two cores (measured: about 25 s). */
const RUNS = intFromEnv('FUZZ_RUNS', FULL ? 100_000 : 10_000);
/** Requests on PostgreSQL, when a server answers. */
const PG_RUNS = intFromEnv('FUZZ_PG_RUNS', FULL ? 20_000 : Math.min(RUNS, 1_500));
/** fast-check's replay path, printed with a failure. */
const PATH = process.env.FUZZ_PATH !== undefined && process.env.FUZZ_PATH !== '' ? process.env.FUZZ_PATH : undefined;

const BODY_LIMIT = 64 * 1024;
/** Payments the fuzz may change (see FuzzContext.playground). */
const PLAYGROUND_SIZE = 12;
const MAX_HEADER_BYTES = 16 * 1024;

// ─── The surface under fuzz ───

type Surface = 'token' | 'merchant' | 'user' | 'html' | 'sandbox' | 'admin' | 'health';
type IdKind = 'orderId' | 'token' | 'msisdn' | 'msn' | null;

interface Keys {
  msn: string;
  token: string;
  subscriptionKey: string;
  clientId: string;
  clientSecret: string;
}

interface FuzzContext {
  /** The merchant whose payments are seeded. */
  m: Keys;
  /** Another merchant: its credentials are the cross-merchant mutations. */
  o: Keys;
  sentinels: Sentinel[];
  sentinelOrderIds: Set<string>;
  /** Payments the fuzz may change at will (half initiated, half reserved): valid requests with odd values get through to the rules and the store. */
  playground: Sentinel[];
  /** Every landing token that exists (seeded and playground): any other is an unknown payment. */
  knownTokens: Set<string>;
  /** The landing token of each existing order of the merchant. */
  tokenOfOrder: Map<string, string>;
}

type Body = Record<string, unknown>;

interface Endpoint {
  name: string;
  surface: Surface;
  method: string;
  /** `:id` is where the target goes. */
  template: string;
  idKind: IdKind;
  /** Other methods that also route on this path: a change to them is not a sure rejection. */
  alsoRoutes: string[];
  /** Accepted, it would change a payment (or the clock, or wipe the sandbox): aimed at a seeded payment it must be rejected. */
  guarded: boolean;
  body: ((ctx: FuzzContext) => Body) | null;
  /** Body paths the mutations address; `required` ones may be deleted to force a rejection. */
  fields: Array<{ path: string[]; required: boolean }>;
  /** A request body is required (no body is a rejection). */
  bodyRequired: boolean;
  /** The server's body schema (checked with TypeBox, which agrees with ajv on lengths and patterns). */
  schema: TSchema | null;
  /** Semantic rules that surely reject a schema-valid body. */
  rejectsBody?: (body: Body, identity: Keys) => boolean;
  weight: number;
}

const ORDER_ID = /^[a-zA-Z0-9-]{1,50}$/;
const msnOf = (body: Body, key: string): unknown => (body[key] as Body | undefined)?.merchantSerialNumber;
const wrongMsn = (presented: unknown, identity: Keys) => presented !== undefined && String(presented) !== identity.msn;
const smallAmount = (body: Body) => {
  const amount = (body.transaction as Body | undefined)?.amount;
  return typeof amount === 'number' && amount > 0 && amount < 100;
};

const actionFields = [
  { path: ['merchantInfo'], required: true },
  { path: ['merchantInfo', 'merchantSerialNumber'], required: true },
  { path: ['transaction'], required: true },
  { path: ['transaction', 'amount'], required: false },
  { path: ['transaction', 'transactionText'], required: true },
];

function endpoints(): Endpoint[] {
  const merchant = { surface: 'merchant' as const, alsoRoutes: [] };
  const action = (name: 'capture' | 'refund'): Endpoint => ({
    ...merchant,
    name,
    method: 'POST',
    template: `/ecomm/v2/payments/:id/${name}`,
    idKind: 'orderId',
    guarded: true,
    body: (ctx) => ({ merchantInfo: { merchantSerialNumber: ctx.m.msn }, transaction: { amount: 1000, transactionText: 'fuzz' } }),
    fields: actionFields,
    bodyRequired: true,
    schema: PaymentActionBody,
    rejectsBody: (body, identity) => wrongMsn(msnOf(body, 'merchantInfo'), identity) || smallAmount(body),
    weight: 10,
  });
  return [
    {
      name: 'access token',
      surface: 'token',
      method: 'POST',
      template: '/accesstoken/get',
      idKind: null,
      alsoRoutes: [],
      guarded: false,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 6,
    },
    {
      ...merchant,
      name: 'initiate',
      method: 'POST',
      template: '/ecomm/v2/payments',
      idKind: null,
      guarded: false,
      body: (ctx) => ({
        customerInfo: { mobileNumber: '91234567' },
        merchantInfo: { merchantSerialNumber: ctx.m.msn, callbackPrefix: 'http://127.0.0.1:9/callbacks', fallBack: 'https://127.0.0.1:9/fallback' },
        transaction: { orderId: 'fzi-0', amount: 10_000, transactionText: 'fuzz' },
      }),
      fields: [
        { path: ['customerInfo'], required: true },
        { path: ['customerInfo', 'mobileNumber'], required: false },
        { path: ['merchantInfo'], required: true },
        { path: ['merchantInfo', 'merchantSerialNumber'], required: true },
        { path: ['merchantInfo', 'callbackPrefix'], required: true },
        { path: ['merchantInfo', 'fallBack'], required: true },
        { path: ['merchantInfo', 'authToken'], required: false },
        { path: ['merchantInfo', 'isApp'], required: false },
        { path: ['merchantInfo', 'paymentType'], required: false },
        { path: ['merchantInfo', 'consentRemovalPrefix'], required: false },
        { path: ['merchantInfo', 'staticShippingDetails'], required: false },
        { path: ['merchantInfo', 'staticShippingDetails', '0', 'shippingCost'], required: false },
        { path: ['merchantInfo', 'staticShippingDetails', '0', 'isDefault'], required: false },
        { path: ['merchantInfo', 'staticShippingDetails', '1', 'priority'], required: false },
        { path: ['merchantInfo', 'shippingDetailsPrefix'], required: false },
        { path: ['transaction'], required: true },
        { path: ['transaction', 'orderId'], required: true },
        { path: ['transaction', 'amount'], required: true },
        { path: ['transaction', 'transactionText'], required: true },
        { path: ['transaction', 'skipLandingPage'], required: false },
        { path: ['transaction', 'scope'], required: false },
        { path: ['transaction', 'additionalData'], required: false },
      ],
      bodyRequired: true,
      schema: InitiateBody,
      rejectsBody: (body, identity) => wrongMsn(msnOf(body, 'merchantInfo'), identity),
      weight: 12,
    },
    action('capture'),
    action('refund'),
    {
      ...merchant,
      name: 'cancel',
      method: 'PUT',
      template: '/ecomm/v2/payments/:id/cancel',
      idKind: 'orderId',
      guarded: true,
      body: (ctx) => ({ merchantInfo: { merchantSerialNumber: ctx.m.msn }, transaction: { transactionText: 'fuzz' }, shouldReleaseRemainingFunds: false }),
      fields: [
        { path: ['merchantInfo'], required: true },
        { path: ['merchantInfo', 'merchantSerialNumber'], required: true },
        { path: ['transaction'], required: true },
        { path: ['transaction', 'transactionText'], required: true },
        { path: ['shouldReleaseRemainingFunds'], required: false },
      ],
      bodyRequired: true,
      schema: CancelBody,
      rejectsBody: (body, identity) => wrongMsn(msnOf(body, 'merchantInfo'), identity),
      weight: 10,
    },
    ...(['details', 'status'] as const).map(
      (name): Endpoint => ({
        ...merchant,
        name,
        method: 'GET',
        template: `/ecomm/v2/payments/:id/${name}`,
        idKind: 'orderId',
        guarded: false,
        body: null,
        fields: [],
        bodyRequired: false,
        schema: null,
        weight: 7,
      }),
    ),
    {
      ...merchant,
      name: 'force approve',
      method: 'POST',
      template: '/ecomm/v2/integration-test/payments/:id/approve',
      idKind: 'orderId',
      guarded: true,
      body: () => ({ customerPhoneNumber: '91234567', token: 'placeholder' }),
      fields: [
        { path: ['customerPhoneNumber'], required: true },
        { path: ['token'], required: true },
      ],
      bodyRequired: true,
      schema: ForceApproveBody,
      weight: 8,
    },
    {
      name: 'landing push',
      surface: 'user',
      method: 'POST',
      template: '/_kasse/landing/:id/push',
      idKind: 'token',
      alsoRoutes: [],
      guarded: true,
      body: () => ({ mobileNumber: '91234567' }),
      fields: [{ path: ['mobileNumber'], required: true }],
      bodyRequired: true,
      schema: LandingPushBody,
      weight: 5,
    },
    {
      name: 'app confirm',
      surface: 'user',
      method: 'POST',
      template: '/_kasse/app/api/payments/:id/confirm',
      idKind: 'token',
      alsoRoutes: [],
      guarded: true,
      body: () => ({ msisdn: '91234567', cardId: null, passedBankId: false, passedSca: false }),
      fields: [
        { path: ['msisdn'], required: true },
        { path: ['cardId'], required: false },
        { path: ['passedBankId'], required: false },
        { path: ['passedSca'], required: false },
      ],
      bodyRequired: true,
      schema: AppConfirmBody,
      weight: 5,
    },
    ...(
      [
        ['landing cancel', 'POST', '/_kasse/landing/:id/cancel', true],
        ['app reject', 'POST', '/_kasse/app/api/payments/:id/reject', true],
        ['landing view', 'GET', '/_kasse/landing/:id', false],
        ['app payment view', 'GET', '/_kasse/app/api/payments/:id', false],
      ] as const
    ).map(
      ([name, method, template, guarded]): Endpoint => ({
        name,
        surface: 'user',
        method,
        template,
        idKind: 'token',
        alsoRoutes: [],
        guarded,
        body: null,
        fields: [],
        bodyRequired: false,
        schema: null,
        weight: 2,
      }),
    ),
    {
      name: 'app user',
      surface: 'user',
      method: 'GET',
      template: '/_kasse/app/api/users/:id',
      idKind: 'msisdn',
      alsoRoutes: [],
      guarded: false,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 2,
    },
    ...(
      [
        ['deeplink', '/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=:id', 'token'],
        ['app page', '/_kasse/app/pay/:id', 'token'],
        ['sandbox page', '/_kasse/sandbox', null],
      ] as const
    ).map(
      ([name, template, idKind]): Endpoint => ({
        name,
        surface: 'html',
        method: 'GET',
        template,
        idKind,
        alsoRoutes: [],
        guarded: false,
        body: null,
        fields: [],
        bodyRequired: false,
        schema: null,
        weight: 1,
      }),
    ),
    {
      name: 'sandbox merchant',
      surface: 'sandbox',
      method: 'POST',
      template: '/_kasse/sandbox/merchants',
      idKind: null,
      alsoRoutes: [],
      guarded: false,
      body: () => ({ captureType: 'reserve', express: false, rateLimits: false, name: 'fuzz' }),
      fields: [
        { path: ['captureType'], required: false },
        { path: ['express'], required: false },
        { path: ['rateLimits'], required: false },
        { path: ['name'], required: false },
      ],
      bodyRequired: false,
      schema: SandboxMerchantBody,
      weight: 2,
    },
    {
      // Moving the clock would expire the seeded payments: every request here must be rejected.
      name: 'sandbox clock',
      surface: 'sandbox',
      method: 'POST',
      template: '/_kasse/sandbox/clock',
      idKind: null,
      alsoRoutes: ['GET'],
      guarded: true,
      body: () => ({ advanceMs: 0 }),
      fields: [{ path: ['advanceMs'], required: true }],
      bodyRequired: true,
      schema: SandboxClockBody,
      weight: 2,
    },
    {
      name: 'sandbox user',
      surface: 'sandbox',
      method: 'POST',
      template: '/_kasse/sandbox/users',
      idKind: null,
      alsoRoutes: ['GET'],
      guarded: false,
      body: () => ({
        msisdn: '40000001',
        firstName: 'Fuzz',
        bankIdVerified: true,
        stepUpLimitOre: null,
        appVersion: '4.1.0',
        cards: [{ id: 'fz-card', brand: 'VISA', bin: 400000, last4: '1234', expiryMonth: '2030-01', availableOre: 1000, maxAmountOre: null }],
      }),
      fields: [
        { path: ['msisdn'], required: true },
        { path: ['firstName'], required: false },
        { path: ['bankIdVerified'], required: false },
        { path: ['stepUpLimitOre'], required: false },
        { path: ['appVersion'], required: false },
        { path: ['cards'], required: false },
      ],
      bodyRequired: true,
      schema: null,
      weight: 2,
    },
    {
      name: 'sandbox bank',
      surface: 'sandbox',
      method: 'POST',
      template: '/_kasse/sandbox/banks',
      idKind: null,
      alsoRoutes: ['GET'],
      guarded: false,
      body: () => ({ id: 'fz-bank', name: 'Fuzz bank', holdDays: 7, forceThrough: false, refundArrivalBankDays: 2 }),
      fields: [
        { path: ['id'], required: true },
        { path: ['name'], required: true },
        { path: ['holdDays'], required: false },
        { path: ['refundArrivalBankDays'], required: false },
      ],
      bodyRequired: true,
      schema: null,
      weight: 2,
    },
    {
      name: 'sandbox test user',
      surface: 'sandbox',
      method: 'GET',
      template: '/_kasse/sandbox/users/:id',
      idKind: 'msisdn',
      alsoRoutes: [],
      guarded: false,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 1,
    },
    {
      // Would wipe everything: only ever sent with a body that cannot parse.
      name: 'sandbox reset',
      surface: 'sandbox',
      method: 'POST',
      template: '/_kasse/sandbox/reset',
      idKind: null,
      alsoRoutes: [],
      guarded: true,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 1,
    },
    {
      // Without the operator token: always 401.
      name: 'operator block',
      surface: 'admin',
      method: 'POST',
      template: '/_kasse/admin/sales-units/:id/block',
      idKind: 'msn',
      alsoRoutes: [],
      guarded: true,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 1,
    },
    {
      name: 'health',
      surface: 'health',
      method: 'GET',
      template: '/_kasse/health',
      idKind: null,
      alsoRoutes: [],
      guarded: false,
      body: null,
      fields: [],
      bodyRequired: false,
      schema: null,
      weight: 1,
    },
  ];
}

// ─── Plans: small data fast-check generates and shrinks; `build` turns one into the bytes ───

/** A value put into a body: plain, or a big one described compactly (so failures print readably). */
type ValueSpec = { v: unknown } | { huge: string; length: number } | { deep: 'array' | 'object'; depth: number };

type TreeMutation =
  | { op: 'set'; field: number; value: ValueSpec }
  | { op: 'delete'; field: number }
  | { op: 'extra'; object: number; key: string; value: ValueSpec }
  | { op: 'root'; value: ValueSpec };

type TextMutation =
  | { op: 'truncate'; at: number }
  | { op: 'append'; text: string }
  | { op: 'prepend'; text: string }
  | { op: 'replace'; text: string }
  | { op: 'deep'; kind: 'array' | 'object' | 'unclosed'; depth: number }
  | { op: 'bytes'; at: number; bytes: number[] }
  | { op: 'dup-key'; key: string; value: ValueSpec }
  | { op: 'utf16' };

type HeaderMutation = { op: 'drop' | 'set' | 'add' | 'prepend'; name: string; value: string };

type PathMutation =
  | { op: 'trailing-slash' | 'upper' | 'encode-all' | 'double-slash' | 'dot-segment' | 'traversal' | 'extra-segment' }
  | { op: 'query'; query: string }
  | { op: 'id'; id: string }
  | { op: 'id-suffix'; suffix: string }
  | { op: 'long-id'; length: number };

const FRAMINGS = [
  'bad-content-length',
  'duplicate-content-length',
  'te-and-cl',
  'bad-chunk',
  'no-host',
  'nul-in-header',
  'huge-header',
  'lowercase-method',
  'unknown-method',
  'http-1.0',
  'bare-lf',
  'obs-fold',
  'utf8-in-header',
  'utf8-in-path',
  'space-in-path',
  'absolute-uri',
] as const;
type Framing = (typeof FRAMINGS)[number];
/**
 * Node's HTTP parser (or the Host rule of RFC 9112) rejects these in the request head, before any route sees them.
 * (A bad chunk is only seen while the body is read: a GET may well be answered first.)
 */
const FRAMING_REJECTS = new Set<Framing>([
  'bad-content-length',
  'duplicate-content-length',
  'te-and-cl',
  'no-host',
  'nul-in-header',
  'huge-header',
  'lowercase-method',
  'unknown-method',
  'utf8-in-path',
  'space-in-path',
]);

type Target = { kind: 'sentinel' | 'playground'; index: number } | { kind: 'fresh'; id: string } | { kind: 'hostile'; id: string };

type Forced = { kind: 'delete-required'; field: number } | { kind: 'array-in-required'; field: number } | { kind: 'broken-json'; text: string } | { kind: 'auth'; value: string };

interface Plan {
  endpoint: string;
  target: Target;
  requestId: string | null;
  tree: TreeMutation[];
  text: TextMutation[];
  headers: HeaderMutation[];
  path: PathMutation | null;
  method: string | null;
  framing: Framing | null;
  forced: Forced;
  /** A distinct orderId for initiate (so valid ones are accepted rather than duplicates). */
  serial: number;
}

// ─── Hostile values ───

const SPECIAL_CHARS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u202e', // RTL override
  '\u200f', // RTL mark
  '\u061c',
  '\u05d0', // Hebrew alef
  '\u0627', // Arabic alef
  '\ufeff',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u{1f642}',
  'e\u0301',
  '\u2028',
  '\u2029',
  '\uffff',
  '\ufffd',
  '"',
  '\\',
  '/',
  '%',
  '\r\n',
  '\t',
  '<',
  "'",
];

const stringUnit = fc.oneof(fc.constantFrom(...SPECIAL_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('a', '1', '-', ' '));

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: stringUnit, maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      'undefined',
      'true',
      '[]',
      '{}',
      '100',
      '1e3',
      '-1',
      'NaN',
      'Infinity',
      '0x10',
      ' 100',
      '91234567',
      '+4791234567',
      '0047 91 23 45 67',
      '4791234567',
      'abcdefgh',
      '１２３４５６７８',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '"; DROP TABLE payment; --',
      '${jndi:ldap://127.0.0.1/x}',
      '../../etc/passwd',
      '%00',
      '%2e%2e%2f',
      'http://',
      'http://127.0.0.1:9/cb',
      'https://127.0.0.1:9/fallback',
      'ftp://127.0.0.1/x',
      'javascript:alert(1)',
      'myapp://',
      'INTENT',
      'http://[::1',
      'http://exa mple.invalid',
      'eComm Express Payment',
      'eComm Regular Payment',
      'name address email phoneNumber birthDate nin',
      'nin',
      'unknownscope',
      'reserve',
      'direct',
      'VISA',
      '2030-13',
      '9.9.9',
      'x'.repeat(20),
      'x'.repeat(21),
      'x'.repeat(50),
      'x'.repeat(51),
      'x'.repeat(100),
      'x'.repeat(101),
      'x'.repeat(255),
      'x'.repeat(256),
      '\u{1f642}'.repeat(100),
      '\u{1f642}'.repeat(101),
    ),
  },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    99,
    100,
    101,
    1.5,
    99.99,
    100.5,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 53,
    2 ** 63,
    MAX_AMOUNT_ORE,
    MAX_AMOUNT_ORE + 1,
    1e21,
    1e-7,
    12345678,
    91234567,
    1000,
    999_999,
    1_000_000,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.integer(),
  fc.double(),
);

/** Values the schema accepts with one odd character inside: these reach the database (NUL, lone surrogates, RTL…). */
const plausibleString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('fuzz', '91234567', 'http://127.0.0.1:9/cb', 'https://127.0.0.1:9/fb', 'Fuzz bank', 'fz-card', 'name'),
    fc.constantFrom(...SPECIAL_CHARS),
    fc.boolean(),
  )
  .map(([text, char, before]) => (before ? char + text : text + char));

const scalarValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: plausibleString },
  { weight: 4, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
);

const plainValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: scalarValue },
  { weight: 1, arbitrary: fc.array(scalarValue, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, scalarValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [[]], [{}], { '': null }) },
);

const valueSpec: fc.Arbitrary<ValueSpec> = fc.oneof(
  { weight: 12, arbitrary: plainValue.map((v) => ({ v })) },
  {
    weight: 2,
    arbitrary: fc.record({
      huge: fc.oneof(fc.constantFrom('x', 'ab', '\u{1f642}', '\u202e', '\u0000', 'é', '\ud800', '"'), fc.string({ unit: stringUnit, minLength: 1, maxLength: 4 })),
      length: fc.oneof(fc.integer({ min: 256, max: 4_000 }), fc.integer({ min: 4_000, max: 100_000 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ deep: fc.constantFrom('array' as const, 'object' as const), depth: fc.integer({ min: 100, max: 10_000 }) }) },
);

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'orderId',
  'amount',
  'merchantSerialNumber',
  'fallback',
  'callBack',
  'transactionText ',
  'isApp',
  'x'.repeat(1000),
  '\u0000',
  '\u{1f642}',
  '\u202e',
  '\ud800',
];

/** JSON.parse would fail, or fastify's prototype-poisoning guard refuses it: bodies that must never parse. */
const BROKEN_JSON = [
  '{',
  '{"',
  '{"a":',
  '[1,',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  'undefined',
  '{"a":1}}',
  '{"a":1}x',
  '\u0000',
  '{"__proto__":{}}',
  '{"a":{"__proto__":{"admin":true}}}',
  '{"\\u005f_proto__":{}}',
  '{"constructor":{"prototype":{"x":1}}}',
  'nul',
  'tru',
  '"unterminated',
  '{"a":0x10}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{,}',
  '{"a":1 "b":2}',
  '{"a":1}{"b":2}',
  '/* comment */ {}',
];

// ─── Requests, and what the server must make of them ───

interface Built {
  plan: Plan;
  endpoint: Endpoint;
  request: WireRequest;
  /** What was sent, for the failure report (bodies and long values abbreviated). */
  summary: string;
  /** Why the server must reject it (any one suffices); empty: no sure verdict. */
  mustReject: string[];
  /** Aimed at a seeded payment with an endpoint that would change it. */
  guarded: boolean;
  /** Headers over Node's 16 KB limit or a body over the 64 KB limit: a reset without an answer is acceptable. */
  oversize: boolean;
  finalMethod: string;
}

function huge(unit: string, length: number): string {
  return unit.repeat(Math.max(1, Math.ceil(length / unit.length))).slice(0, length);
}

/** Marks text that is spliced into the JSON as is (deep nesting) instead of being serialized. */
class RawJson {
  constructor(readonly text: string) {}
}

function deepText(kind: 'array' | 'object', depth: number): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function valueOf(spec: ValueSpec): unknown {
  // A copy: mutations write into objects, and fast-check hands out the same constant instances again (replays must not see them changed).
  if ('v' in spec) return typeof spec.v === 'object' && spec.v !== null ? structuredClone(spec.v) : spec.v;
  if ('huge' in spec) return huge(spec.huge, spec.length);
  return new RawJson(deepText(spec.deep, spec.depth));
}

/** JSON text, keeping own `__proto__` keys and RawJson as they are; non-finite numbers become null as in JSON.stringify. */
function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .map((k) => `${JSON.stringify(k)}:${toJson(record[k])}`)
    .join(',')}}`;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RawJson);
}

/** The object at `path` inside `root`, or undefined when a mutation already replaced or removed it. */
function objectAt(root: unknown, path: string[]): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      node = node[Number(key)];
      continue;
    }
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isRecord(node) ? node : undefined;
}

function applyTree(root: unknown, mutation: TreeMutation, endpoint: Endpoint): unknown {
  if (mutation.op === 'root') return valueOf(mutation.value);
  if (mutation.op === 'extra') {
    const objects = [[], ...endpoint.fields.filter((f) => f.required).map((f) => f.path)];
    const parent = objectAt(root, objects[mutation.object % objects.length] ?? []);
    if (parent) setOwn(parent, mutation.key, valueOf(mutation.value));
    return root;
  }
  const field = endpoint.fields[mutation.field % endpoint.fields.length];
  if (!field) return root;
  const parent = objectAt(root, field.path.slice(0, -1));
  const key = field.path.at(-1)!;
  if (!parent) return root;
  if (mutation.op === 'delete') delete parent[key];
  else setOwn(parent, key, valueOf(mutation.value));
  return root;
}

function applyText(text: Buffer, mutation: TextMutation): Buffer {
  switch (mutation.op) {
    case 'truncate':
      return text.subarray(0, Math.floor(text.length * mutation.at));
    case 'append':
      return Buffer.concat([text, Buffer.from(mutation.text, 'utf8')]);
    case 'prepend':
      return Buffer.concat([Buffer.from(mutation.text, 'utf8'), text]);
    case 'replace':
      return Buffer.from(mutation.text, 'utf8');
    case 'deep':
      return Buffer.from(mutation.kind === 'unclosed' ? '['.repeat(mutation.depth) : deepText(mutation.kind, mutation.depth), 'utf8');
    case 'bytes': {
      const at = Math.floor(text.length * mutation.at);
      return Buffer.concat([text.subarray(0, at), Buffer.from(mutation.bytes), text.subarray(at)]);
    }
    case 'dup-key': {
      // Inserted first, so the later (original) key wins: the parsed value is unchanged unless the text breaks.
      const open = text.indexOf('{');
      if (open < 0) return text;
      const pair = Buffer.from(`${JSON.stringify(mutation.key)}:${toJson(valueOf(mutation.value))},`, 'utf8');
      return Buffer.concat([text.subarray(0, open + 1), pair, text.subarray(open + 1)]);
    }
    case 'utf16':
      return Buffer.from(text.toString('utf8'), 'utf16le');
  }
}

/** What the server's body parser makes of these bytes: no body, unparseable (400/413), or a value. */
function parseLikeServer(body: Buffer | null): { kind: 'none' } | { kind: 'bad'; why: string } | { kind: 'ok'; value: unknown } {
  if (body === null || body.length === 0) return { kind: 'none' };
  if (body.length > BODY_LIMIT) return { kind: 'bad', why: 'body over 64 KB' };
  let text = body.toString('utf8');
  if (text.trim() === '') return { kind: 'none' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'bad', why: 'body is not JSON' };
  }
  // Iteratively, as secure-json-parse does (a reviver would recurse and overflow on 10,000 levels).
  const stack: unknown[] = [value];
  for (let guard = 0; stack.length > 0 && guard < 1_000_000; guard++) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (!Array.isArray(node)) {
      if (Object.hasOwn(node, '__proto__')) return { kind: 'bad', why: 'prototype-poisoning keys' };
      const ctor = (node as Record<string, unknown>).constructor;
      if (Object.hasOwn(node, 'constructor') && isRecord(ctor) && Object.hasOwn(ctor, 'prototype')) return { kind: 'bad', why: 'prototype-poisoning keys' };
    }
    stack.push(...Object.values(node));
  }
  return { kind: 'ok', value };
}

/** Node's view of a header: the first for authorization and content-type, the values joined with ", " for the others. */
function headerAsNodeSeesIt(headers: Array<[string, string]>, name: string): string | undefined {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.trim());
  if (values.length === 0) return undefined;
  if (name === 'authorization' || name === 'content-type' || name === 'host') return values[0];
  return values.join(', ');
}

function identityOf(headers: Array<[string, string]>, ctx: FuzzContext): Keys | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(headerAsNodeSeesIt(headers, 'authorization') ?? '');
  const key = headerAsNodeSeesIt(headers, 'ocp-apim-subscription-key');
  for (const keys of [ctx.m, ctx.o]) {
    if (match?.[1] === keys.token && key === keys.subscriptionKey) return keys;
  }
  return null;
}

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, as they would in any client). */
function encodeSegment(id: string, all = false): string {
  return [...Buffer.from(id, 'utf8')]
    .map((b) => (!all && /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** node:http refuses these (and throws): such requests go out as raw socket bytes. */
const nodeRefusesPath = (path: string) => /[^\u0021-\u00ff]/.test(path);
const nodeRefusesHeader = ([name, value]: [string, string]) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[^\t\u0020-\u007e\u0080-\u00ff]/.test(value);

function abbreviate(text: string, max = 240): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} chars)`;
}

function build(plan: Plan, ctx: FuzzContext, byName: Map<string, Endpoint>): Built {
  const endpoint = byName.get(plan.endpoint)!;
  const mustReject: string[] = [];

  // The target: a seeded payment, a playground one, a fresh id nobody used, or a hostile string.
  let targetId = '';
  let sentinel: Sentinel | undefined;
  let payment: Sentinel | undefined;
  if (plan.target.kind === 'sentinel' || plan.target.kind === 'playground') {
    const list = plan.target.kind === 'sentinel' ? ctx.sentinels : ctx.playground;
    payment = list[plan.target.index % list.length]!;
    targetId = endpoint.idKind === 'token' ? payment.token : endpoint.idKind === 'msn' ? ctx.m.msn : endpoint.idKind === 'msisdn' ? '91234567' : payment.orderId;
    if (plan.target.kind === 'sentinel' && (endpoint.idKind === 'orderId' || endpoint.idKind === 'token')) sentinel = payment;
  } else if ('id' in plan.target) {
    targetId = plan.target.id;
  }
  const guarded = endpoint.guarded && (sentinel !== undefined || endpoint.idKind === null || endpoint.idKind === 'msn');

  // Body: the valid one, then tree mutations, then (if guarded) the forced rejection, then text mutations.
  let body: Buffer | null = null;
  const forced = guarded ? plan.forced : null;
  const forcedText = forced?.kind === 'broken-json' || (forced !== null && endpoint.fields.every((f) => !f.required) && forced.kind !== 'auth');
  if (endpoint.body) {
    let tree: unknown = endpoint.body(ctx);
    if (endpoint.name === 'initiate') {
      const { merchantInfo, transaction } = tree as { merchantInfo: Body; transaction: Body };
      transaction.orderId = `fzi-${plan.serial}`;
      // Four valid starting points, so mutations also reach the express, scope, skipLandingPage and isApp rules.
      switch (plan.serial % 4) {
        case 1:
          merchantInfo.paymentType = 'eComm Express Payment';
          merchantInfo.consentRemovalPrefix = 'http://127.0.0.1:9/consents';
          merchantInfo.staticShippingDetails = [
            { isDefault: 'Y', priority: 0, shippingCost: 99.5, shippingMethod: 'Posten', shippingMethodId: 'posten' },
            { isDefault: 'N', priority: '1', shippingCost: '149,00', shippingMethod: 'Bring', shippingMethodId: 'bring' },
          ];
          break;
        case 2:
          transaction.scope = 'name email phoneNumber';
          transaction.skipLandingPage = true;
          break;
        case 3:
          merchantInfo.isApp = true;
          merchantInfo.fallBack = 'myapp://payment-done';
          merchantInfo.authToken = 'fuzz-auth-token';
          break;
        default:
          break;
      }
    }
    if (endpoint.name === 'force approve') (tree as Body).token = payment?.token ?? 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    for (const mutation of plan.tree) tree = applyTree(tree, mutation, endpoint);
    if (forced && !forcedText && forced.kind !== 'auth') {
      const required = endpoint.fields.filter((f) => f.required);
      const field = required[forced.field % required.length];
      if (field) {
        const parent = objectAt(tree, field.path.slice(0, -1));
        if (parent && forced.kind === 'delete-required') delete parent[field.path.at(-1)!];
        if (parent && forced.kind === 'array-in-required') setOwn(parent, field.path.at(-1)!, [field.path.join('.')]);
      }
    }
    body = Buffer.from(toJson(tree), 'utf8');
  }
  if (endpoint.body || endpoint.method === 'POST' || endpoint.method === 'PUT') {
    body ??= Buffer.alloc(0);
    // The reset endpoint has no body schema: only unparseable text may reach it, so text mutations stay off there.
    if (endpoint.name !== 'sandbox reset' && endpoint.surface !== 'admin') for (const mutation of plan.text) body = applyText(body, mutation);
  }
  if (forcedText || endpoint.name === 'sandbox reset') {
    body = Buffer.from(forced?.kind === 'broken-json' ? forced.text : BROKEN_JSON[0]!, 'utf8');
  }
  if (endpoint.method === 'GET' && body?.length === 0) body = null;

  // Headers: the valid set, then mutations, then (if guarded and so chosen) broken credentials.
  const headers: Array<[string, string]> = [];
  if (endpoint.surface === 'merchant') {
    headers.push(['Authorization', `Bearer ${ctx.m.token}`], ['Ocp-Apim-Subscription-Key', ctx.m.subscriptionKey]);
    if (plan.requestId !== null) headers.push(['X-Request-Id', plan.requestId]);
  }
  if (endpoint.surface === 'token') {
    headers.push(['client_id', ctx.m.clientId], ['client_secret', ctx.m.clientSecret], ['Ocp-Apim-Subscription-Key', ctx.m.subscriptionKey]);
  }
  if (body !== null && body.length > 0) headers.push(['Content-Type', 'application/json']);
  for (const mutation of plan.headers) {
    const lower = mutation.name.toLowerCase();
    const without = headers.filter(([n]) => n.toLowerCase() !== lower);
    if (mutation.op === 'drop') headers.splice(0, headers.length, ...without);
    if (mutation.op === 'set') headers.splice(0, headers.length, ...without, [mutation.name, mutation.value]);
    if (mutation.op === 'add') headers.push([mutation.name, mutation.value]);
    if (mutation.op === 'prepend') headers.unshift([mutation.name, mutation.value]);
  }
  if (forced?.kind === 'auth' && endpoint.surface === 'merchant') {
    const without = headers.filter(([n]) => n.toLowerCase() !== 'authorization');
    headers.splice(0, headers.length, ['Authorization', forced.value], ...without);
  }

  // Path: the template with the target, then a path trick.
  const path = plan.path;
  let finalId = targetId;
  if (path?.op === 'id') finalId = path.id;
  if (path?.op === 'id-suffix') finalId = targetId + path.suffix;
  if (path?.op === 'long-id') finalId = huge('a', path.length);
  let encodedId = encodeSegment(finalId, path?.op === 'encode-all');
  if (path?.op === 'id-suffix' && /^%[0-9A-Fa-f]{0,2}/.test(path.suffix)) encodedId = encodeSegment(targetId) + path.suffix; // deliberately bad or raw escapes
  let urlPath = endpoint.template.replace(':id', encodedId);
  const [pathPart = '', queryPart] = urlPath.split('?') as [string, string | undefined];
  let pathOnly = pathPart;
  let query = queryPart === undefined ? '' : `?${queryPart}`;
  switch (path?.op) {
    case 'trailing-slash':
      pathOnly += '/';
      break;
    case 'upper':
      pathOnly = pathOnly
        .split('/')
        .map((segment) => (segment === encodedId ? segment : segment.toUpperCase()))
        .join('/');
      break;
    case 'double-slash':
      pathOnly = pathOnly.replace('/', '//');
      break;
    case 'dot-segment':
      pathOnly = pathOnly.replace(/\/([^/]*)$/, '/./$1');
      break;
    case 'traversal':
      pathOnly = `${pathOnly}/../${pathOnly.split('/').at(-1)}`;
      break;
    case 'extra-segment':
      pathOnly += '/extra';
      break;
    case 'query':
      query += (query ? '&' : '?') + path.query;
      break;
    default:
      break;
  }
  urlPath = pathOnly + query;

  const method = plan.method ?? endpoint.method;

  // Sure verdicts. A path trick either keeps the route or leaves none (404), so body and credential verdicts hold;
  // only a method that routes elsewhere (GET on /_kasse/sandbox/clock) makes them moot.
  const framing = plan.framing;
  if (framing && FRAMING_REJECTS.has(framing)) mustReject.push(`framing: ${framing}`);
  const routed = [endpoint.method, ...endpoint.alsoRoutes];
  if (routed.includes('GET')) routed.push('HEAD');
  if (!routed.includes(method)) mustReject.push(`method ${method} has no route here`);
  if (method === endpoint.method) {
    if (endpoint.surface === 'admin') mustReject.push('no operator token');
    const idValid = endpoint.idKind !== 'orderId' || (ORDER_ID.test(finalId) && path?.op !== 'id-suffix');
    if (endpoint.idKind === 'orderId' && !idValid) mustReject.push('orderId is not a valid orderId');
    let identity: Keys | null = ctx.m;
    if (endpoint.surface === 'merchant') {
      identity = identityOf(headers, ctx);
      if (identity === null) mustReject.push('credentials are not one merchant’s token and subscription key');
      const requestId = headerAsNodeSeesIt(headers, 'x-request-id');
      if (requestId !== undefined && (requestId.length === 0 || [...requestId].length > 40)) mustReject.push('X-Request-Id length');
      const msnHeader = headerAsNodeSeesIt(headers, 'merchant-serial-number');
      if (identity && msnHeader !== undefined && msnHeader !== identity.msn) mustReject.push('Merchant-Serial-Number is not the keys’ MSN');
      // Fresh ids (fzx-…) are never initiated (initiate uses fzi-…): every order operation on them is Merchant 35.
      if (endpoint.idKind === 'orderId' && plan.target.kind === 'fresh' && finalId === targetId) mustReject.push('orderId does not exist');
      if (endpoint.idKind === 'orderId' && identity && identity !== ctx.m && ctx.sentinelOrderIds.has(finalId)) mustReject.push('another merchant’s orderId');
    }
    if (endpoint.idKind === 'token' && endpoint.surface === 'user' && !ctx.knownTokens.has(finalId)) mustReject.push('unknown payment token');
    if (ACTS_FOR_A_USER.has(endpoint.name)) mustReject.push('no app session (the fuzzer never signs in)');
    if (endpoint.method === 'POST' || endpoint.method === 'PUT') {
      const parsed = parseLikeServer(body);
      if (parsed.kind === 'bad') mustReject.push(parsed.why);
      if (parsed.kind === 'none' && endpoint.bodyRequired) mustReject.push('body required');
      if (parsed.kind === 'ok') {
        if (endpoint.schema && !Value.Check(endpoint.schema, parsed.value)) mustReject.push('body fails the schema');
        if (endpoint.schema && Value.Check(endpoint.schema, parsed.value) && identity && endpoint.rejectsBody?.(parsed.value as Body, identity)) {
          mustReject.push('body breaks a business rule');
        }
        if (endpoint.name === 'force approve' && isRecord(parsed.value) && parsed.value.token !== ctx.tokenOfOrder.get(finalId)) {
          mustReject.push('token is not the orderId’s');
        }
      }
    }
  }

  // Raw bytes when node:http cannot express the request (or the framing is the point).
  const headerBytes = headers.reduce((n, [name, value]) => n + name.length + value.length + 4, urlPath.length + 64);
  const oversize = headerBytes > MAX_HEADER_BYTES - 512 || (body?.length ?? 0) > BODY_LIMIT || framing === 'huge-header';
  const needsRaw = framing !== null || nodeRefusesPath(urlPath) || headers.some(nodeRefusesHeader);
  let raw: Buffer | null = null;
  if (needsRaw) raw = rawBytes(method, urlPath, headers, body, framing);

  const summaryHeaders = headers.map(([n, v]) => `${n}: ${abbreviate(v, 120)}`).join('\n  ');
  const summary = [
    `${method} ${abbreviate(urlPath, 300)}${framing ? `  [framing: ${framing}]` : ''}${raw ? '  [raw socket]' : ''}`,
    `  ${summaryHeaders}`,
    body === null ? '  (no body)' : `  body (${body.length} bytes): ${abbreviate(body.toString('utf8'), 400)}`,
  ].join('\n');

  const built: Built = {
    plan,
    endpoint,
    request: { method, path: urlPath, headers, body, raw },
    summary,
    mustReject,
    guarded,
    oversize,
    finalMethod: framing === 'lowercase-method' ? method.toLowerCase() : framing === 'unknown-method' ? 'FUZZ' : method,
  };
  // fast-check prints counterexamples with this, instead of 100 KB of buffers.
  Object.defineProperty(built, fc.toStringMethod, { value: () => `\n${summary}\n`, enumerable: false });
  return built;
}

function rawBytes(method: string, path: string, headers: Array<[string, string]>, body: Buffer | null, framing: Framing | null): Buffer {
  const eol = framing === 'bare-lf' ? '\n' : '\r\n';
  let requestMethod = method;
  if (framing === 'lowercase-method') requestMethod = method.toLowerCase();
  if (framing === 'unknown-method') requestMethod = 'FUZZ';
  let target = path;
  if (framing === 'utf8-in-path') target = `/æøå\u{1f642}${path}`;
  if (framing === 'space-in-path') target = `/a b${path}`;
  if (framing === 'absolute-uri') target = `http://127.0.0.1${path}`;
  const version = framing === 'http-1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
  const lines = [`${requestMethod} ${target} ${version}`];
  if (framing !== 'no-host') lines.push('Host: 127.0.0.1');
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const payload = body ?? Buffer.alloc(0);
  switch (framing) {
    case 'bad-content-length':
      lines.push('Content-Length: abc');
      break;
    case 'duplicate-content-length':
      lines.push(`Content-Length: ${payload.length}`, `Content-Length: ${payload.length + 1}`);
      break;
    case 'te-and-cl':
      lines.push('Transfer-Encoding: chunked', `Content-Length: ${payload.length}`);
      break;
    case 'bad-chunk':
      lines.push('Transfer-Encoding: chunked');
      break;
    case 'nul-in-header':
      lines.push('X-Fuzz: a\u0000b');
      break;
    case 'huge-header':
      lines.push(`X-Fuzz: ${'h'.repeat(MAX_HEADER_BYTES + 1024)}`);
      break;
    case 'obs-fold':
      lines.push('X-Fuzz: a', ' folded');
      break;
    case 'utf8-in-header':
      lines.push('X-Request-Id: æøå\u{1f642}\u202e');
      break;
    default:
      break;
  }
  if (framing !== 'bad-content-length' && framing !== 'duplicate-content-length' && framing !== 'te-and-cl' && framing !== 'bad-chunk') {
    lines.push(`Content-Length: ${payload.length}`);
  }
  lines.push('Connection: close');
  const head = Buffer.from(lines.join(eol) + eol + eol, 'utf8');
  if (framing === 'bad-chunk') return Buffer.concat([head, Buffer.from(`zz${eol}`), payload, Buffer.from(`${eol}0${eol}${eol}`)]);
  if (framing === 'te-and-cl') return Buffer.concat([head, Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
  return Buffer.concat([head, payload]);
}

// ─── The oracle for one answer ───

function isAzureAdError(body: unknown): boolean {
  if (!isRecord(body)) return false;
  return (
    typeof body.error === 'string' &&
    typeof body.error_description === 'string' &&
    Array.isArray(body.error_codes) &&
    body.error_codes.every((c) => typeof c === 'number') &&
    typeof body.trace_id === 'string' &&
    typeof body.correlation_id === 'string' &&
    typeof body.timestamp === 'string'
  );
}

/** App API routes that act for the signed-in user: without a session they must refuse. */
const ACTS_FOR_A_USER = new Set(['app confirm', 'app reject', 'app user']);

/** The app's own sign-in and session answers: the Vipps error shape with errorGroup App and a known code. */
function appError(body: unknown): boolean {
  if (!Array.isArray(body) || body.length !== 1 || !isRecord(body[0])) return false;
  const item = body[0];
  return (
    item.errorGroup === APP_ERROR_GROUP &&
    typeof item.errorCode === 'string' &&
    Object.hasOwn(APP_ERRORS, item.errorCode) &&
    typeof item.errorMessage === 'string' &&
    typeof item.contextId === 'string' &&
    Object.keys(item).length === 4
  );
}

/** Why this answer is wrong for this request, or null. */
function judge(built: Built, response: WireResponse): string | null {
  const { status } = response;
  const surface = built.endpoint.surface;
  if (status >= 500) return `answered ${status}`;
  if (status < 200) return `answered ${status}`;
  if (built.mustReject.length > 0 && status < 400) return `accepted (${status}) a request that must be rejected: ${built.mustReject.join('; ')}`;
  if (built.finalMethod === 'HEAD') return null;
  if (status >= 400) {
    const vipps = notAVippsError(response.json);
    if (vipps === null) {
      if (!/^application\/json/.test(response.headers['content-type'] ?? '')) return `Vipps error with content-type ${response.headers['content-type']}`;
      return null;
    }
    if (surface === 'token' && status === 401 && isRecord(response.json)) {
      const body = response.json;
      if (body.statusCode === 401 && typeof body.message === 'string' && Object.keys(body).length === 2) return null;
      if (isAzureAdError(body)) return null;
    }
    if (surface === 'user' && status === 404 && isRecord(response.json) && response.json.error === 'unknown payment') return null;
    if (surface === 'user' && appError(response.json)) return null;
    if (surface === 'html' && status === 404 && /^text\/html/.test(response.headers['content-type'] ?? '')) return null;
    if (surface === 'sandbox' && status === 404 && isRecord(response.json) && response.json.error === 'no such test user') return null;
    return `error body is not a Vipps error (${vipps}): ${abbreviate(response.text, 300)}`;
  }
  if (surface === 'html' || (built.endpoint.name === 'force approve' && response.text === '')) return null;
  if (status >= 300) return `answered ${status} on a JSON endpoint`;
  if (!response.jsonOk) return `2xx body is not JSON: ${abbreviate(response.text, 200)}`;
  return null;
}

// ─── Plan arbitraries (built once the merchants exist, since valid credentials are part of the mix) ───

function planArbitrary(ctx: FuzzContext, all: Endpoint[]): fc.Arbitrary<Plan> {
  const endpointName = fc.oneof(...all.map((e) => ({ weight: e.weight, arbitrary: fc.constant(e.name) })));
  const freshOrderId = fc.stringMatching(/^[a-zA-Z0-9-]{1,40}$/).map((s) => `fzx-${s}`.slice(0, 50));
  const target: fc.Arbitrary<Target> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('sentinel' as const), index: fc.nat({ max: ctx.sentinels.length - 1 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('playground' as const), index: fc.nat({ max: ctx.playground.length - 1 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('fresh' as const), id: freshOrderId }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('hostile' as const),
        id: fc.oneof(hostileString, fc.constantFrom('..', '.', '%2F', 'a/b', 'A'.repeat(51), ctx.m.msn, ctx.o.msn, ctx.sentinels[0]!.orderId.toUpperCase())),
      }),
    },
  );
  const tokenVariants = [
    `Bearer ${ctx.m.token}`,
    `bearer ${ctx.m.token}`,
    `BEARER   ${ctx.m.token}   `,
    `Bearer ${ctx.o.token}`,
    `Bearer ${ctx.m.token}x`,
    `Bearer ${ctx.m.token.slice(0, -2)}`,
    `Bearer ${ctx.m.token.replace(/\.[^.]*$/, '.')}`,
    `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${ctx.m.token.split('.')[1]}.`,
    `Bearer ${ctx.m.token} extra`,
    `Bearer`,
    `Bearer `,
    ctx.m.token,
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    `Token ${ctx.m.token}`,
    'Bearer a.b.c',
    `Bearer ${'A'.repeat(8_000)}`,
    '',
  ];
  const headerMutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
    fc.record({ op: fc.constantFrom('set' as const, 'add' as const, 'prepend' as const, 'drop' as const), name: fc.constant('Authorization'), value: fc.constantFrom(...tokenVariants) }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const, 'drop' as const),
      name: fc.constantFrom('Ocp-Apim-Subscription-Key', 'ocp-apim-subscription-key'),
      value: fc.constantFrom(ctx.m.subscriptionKey, ctx.o.subscriptionKey, '', ` ${ctx.m.subscriptionKey} `, ctx.m.subscriptionKey.toUpperCase(), 'x'.repeat(5_000), 'null'),
    }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const, 'drop' as const),
      name: fc.constant('Content-Type'),
      value: fc.constantFrom(
        'application/json',
        'application/json;charset=UTF-8',
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/json; charset="weird"',
        ';;;',
        '',
        '*/*',
        'application/json, text/plain',
        'application/ld+json',
        'application/vnd.api+json',
        'application/json\u00e6',
      ),
    }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const, 'drop' as const),
      name: fc.constantFrom('X-Request-Id', 'x-request-id'),
      value: fc.oneof(
        fc.constantFrom('', ' ', 'a'.repeat(40), 'a'.repeat(41), 'a'.repeat(1000), 'a'.repeat(12_000), 'æøå', '\u00ff'.repeat(41), ctx.sentinels[5]?.requestIds[0] ?? 'x'),
        fc.stringMatching(/^[A-Za-z0-9-]{1,60}$/),
      ),
    }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const, 'drop' as const),
      name: fc.constant('Merchant-Serial-Number'),
      value: fc.constantFrom(ctx.m.msn, ctx.o.msn, '1234567', 'abc', '', `${ctx.m.msn} `, '0'),
    }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const, 'drop' as const),
      name: fc.constantFrom('client_id', 'client_secret'),
      value: fc.constantFrom(ctx.m.clientId, ctx.m.clientSecret, ctx.o.clientId, ctx.o.clientSecret, '', 'x'.repeat(5_000), 'null'),
    }),
    fc.record({
      op: fc.constantFrom('set' as const, 'add' as const),
      name: fc.constantFrom('X-Forwarded-For', 'Content-Encoding', 'Accept', 'Accept-Encoding', 'Cookie', 'Expect', 'X-HTTP-Method-Override', 'Origin', 'Vipps-System-Name', 'User-Agent', 'Range', 'If-None-Match'),
      value: fc.constantFrom('1.2.3.4', 'gzip', 'br', 'application/xml', 'a=b', '100-continue', 'DELETE', 'http://evil.invalid', 'x'.repeat(6_000), 'iPhone Mobi', 'bytes=0-1', '*', '', '\u00e6'),
    }),
    fc.record({ op: fc.constant('add' as const), name: fc.constantFrom('Bad Header', 'X:Y', 'X-\u00e6', 'X-Emoji'), value: fc.constantFrom('1', '\u{1f642}', 'a\u202eb') }),
  );
  const pathMutation: fc.Arbitrary<PathMutation> = fc.oneof(
    fc.record({ op: fc.constantFrom('trailing-slash' as const, 'upper' as const, 'encode-all' as const, 'double-slash' as const, 'dot-segment' as const, 'traversal' as const, 'extra-segment' as const) }),
    fc.record({
      op: fc.constant('query' as const),
      query: fc.constantFrom('a=1', 'orderId=other', '__proto__[x]=1', 'constructor[prototype][x]=1', `x=${'y'.repeat(5_000)}`, '%ZZ', '&&&', 'token=a&token=b', '', 'v=2', 'token='),
    }),
    fc.record({ op: fc.constant('id' as const), id: fc.oneof(hostileString, fc.constantFrom('', '..', '.', '\u202eevil', '\u{1f642}', 'A-Z', 'fzx-UPPER')) }),
    fc.record({ op: fc.constant('id-suffix' as const), suffix: fc.constantFrom('%2F', '%2Fx', '%00', '%', '%ZZ', '%ED%A0%80', '%C0%AF', ';a=b', '%20', '/', '..', '%2e%2e', '#frag', '\u00e6') }),
    fc.record({ op: fc.constant('long-id' as const), length: fc.oneof(fc.constantFrom(51, 100, 200, 201), fc.integer({ min: 51, max: 8_000 })) }),
  );
  const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.nat(), value: valueSpec }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), field: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('extra' as const), object: fc.nat(), key: fc.oneof(fc.constantFrom(...EXTRA_KEYS), hostileString), value: valueSpec }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('root' as const), value: valueSpec }) },
  );
  const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
    fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
    fc.record({ op: fc.constant('append' as const), text: fc.constantFrom('}', ']', ',', 'x', '\u0000', ' {}', '\n\n{"a":1}', 'NaN', ' ', '\n') }),
    fc.record({ op: fc.constant('prepend' as const), text: fc.constantFrom('\ufeff', ' \n\t', 'x', '\u0000', '[') }),
    fc.record({ op: fc.constant('replace' as const), text: fc.constantFrom(...BROKEN_JSON, 'null', '[]', '""', '0', 'true', '{}', '"x"', '[{}]', ' ', '{"a":1e999}') }),
    fc.record({ op: fc.constant('deep' as const), kind: fc.constantFrom('array' as const, 'object' as const, 'unclosed' as const), depth: fc.integer({ min: 1_000, max: 10_000 }) }),
    fc.record({
      op: fc.constant('bytes' as const),
      at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      bytes: fc.constantFrom([0xc3, 0x28], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x00], [0xe2, 0x80, 0xae]).map((b) => [...b]),
    }),
    fc.record({ op: fc.constant('dup-key' as const), key: fc.constantFrom('merchantInfo', 'transaction', 'msisdn', 'mobileNumber', 'token', 'advanceMs', 'x'), value: valueSpec }),
    fc.record({ op: fc.constant('utf16' as const) }),
  );
  const forced: fc.Arbitrary<Forced> = fc.oneof(
    fc.record({ kind: fc.constantFrom('delete-required' as const, 'array-in-required' as const), field: fc.nat() }),
    fc.record({ kind: fc.constant('broken-json' as const), text: fc.constantFrom(...BROKEN_JSON) }),
    fc.record({ kind: fc.constant('auth' as const), value: fc.constantFrom(...tokenVariants.filter((v) => !/^bearer\s+\S+\s*$/i.test(v) || !v.includes(ctx.m.token) || /x$|extra/.test(v))) }),
  );
  const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
    fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary: arb });
  const few = <T>(arb: fc.Arbitrary<T>, max: number, none: number) =>
    fc.oneof({ weight: none, arbitrary: fc.constant([] as T[]) }, { weight: 10 - none, arbitrary: fc.array(arb, { minLength: 1, maxLength: max }) });

  return fc.record({
    endpoint: endpointName,
    target,
    requestId: sometimes(fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/), 50),
    tree: few(treeMutation, 4, 3),
    text: few(textMutation, 2, 7),
    headers: few(headerMutation, 3, 6),
    path: sometimes(pathMutation, 20),
    method: sometimes(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'SEARCH', 'PROPFIND', 'FOO'), 6),
    framing: sometimes(fc.constantFrom(...FRAMINGS), 4),
    forced,
    serial: fc.nat(),
  });
}

// ─── The suite ───

const dialects = testDialects();

for (const dialect of dialects) {
  const runs = dialect === 'sqlite' ? RUNS : PG_RUNS;
  describe(`fuzzing the HTTP surface (${dialect}, ${runs} requests, seed ${SEED})`, () => {
    let kasse: TestKasse;
    let receiver: CallbackReceiver;
    let wire: WireClient;
    let ctx: FuzzContext;
    let owner: MerchantClient;
    let before_: unknown;
    const tally = new Map<string, number>();
    const timing = new Map<string, number>();

    before(async () => {
      kasse = await startTestKasse({ dialect: dialect as DialectName });
      receiver = await new CallbackReceiver().start();
      wire = WireClient.of(kasse);
      owner = await MerchantClient.create(kasse.baseUrl);
      const other = await MerchantClient.create(kasse.baseUrl);
      const sentinels = await seedEveryState(kasse, owner, 'fuzz', `${receiver.url}/callbacks`);
      const playground: Sentinel[] = [];
      for (let i = 0; i < PLAYGROUND_SIZE; i++) {
        const orderId = `play-${i}`;
        const initiated = await owner.initiate(orderId, 20_000, { merchantInfo: { callbackPrefix: `${receiver.url}/callbacks` } });
        assert.equal(initiated.status, 200, initiated.text);
        if (i % 2 === 1) assert.equal((await owner.approve(orderId, initiated.body.url)).status, 200);
        playground.push({ label: orderId, orderId, token: MerchantClient.tokenOf(initiated.body.url), state: i % 2 === 1 ? 'reserved' : 'initiated', requestIds: [] });
      }
      const keys = async (client: MerchantClient): Promise<Keys> => ({ msn: client.msn, token: await client.token(), ...client.credentials });
      const payments = [...sentinels, ...playground];
      ctx = {
        m: await keys(owner),
        o: await keys(other),
        sentinels,
        sentinelOrderIds: new Set(sentinels.map((s) => s.orderId)),
        playground,
        knownTokens: new Set(payments.map((p) => p.token)),
        tokenOfOrder: new Map(payments.map((p) => [p.orderId, p.token])),
      };
      before_ = await snapshotPayments(kasse, owner, sentinels);
    });

    after(async () => {
      wire?.close();
      await receiver?.close();
      await kasse?.close();
    });

    test('no hostile request gets a 5xx, an undocumented error shape, or accepted when it must be rejected', async (t) => {
      t.diagnostic(`seed ${SEED}, ${runs} requests; replay with SEED=${SEED} (and FUZZ_PATH from a failure report)`);
      const all = endpoints();
      const byName = new Map(all.map((e) => [e.name, e]));
      const plans = planArbitrary(ctx, all)
        .map((plan) => build(plan, ctx, byName))
        // A request that would change a seeded payment is only sent when it is sure to be rejected.
        .filter((built) => !built.guarded || built.mustReject.length > 0);
      const started = Date.now();
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(plans, async (built) => {
          sent++;
          let response: WireResponse;
          const t0 = Date.now();
          try {
            response = await wire.send(built.request);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // Over Node's header limit or fastify's body limit the server may answer and reset before we read it.
            if (built.oversize && (code === 'ECONNRESET' || code === 'EPIPE')) return;
            throw new Error(`no answer (${(error as Error).message}) to:\n${built.summary}`);
          }
          const elapsed = Date.now() - t0;
          timing.set(built.endpoint.name, (timing.get(built.endpoint.name) ?? 0) + elapsed);
          const key = `${built.endpoint.name} ${response.status}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          const problem = judge(built, response);
          if (problem !== null) {
            const file = join(tmpdir(), `kasse-fuzz-failure-${SEED}.json`);
            writeFileSync(
              file,
              JSON.stringify({ seed: SEED, plan: built.plan, method: built.request.method, path: built.request.path, headers: built.request.headers, bodyBase64: built.request.body?.toString('base64') ?? null, rawBase64: built.request.raw?.toString('base64') ?? null, status: response.status, response: response.text.slice(0, 4000) }, null, 2),
            );
            throw new Error(`${problem}\nrequest:\n${built.summary}\nanswer: ${response.status} ${abbreviate(response.text, 500)}\n(full request in ${file})`);
          }
        }),
        { seed: SEED, numRuns: runs, ...(PATH !== undefined ? { path: PATH } : {}), endOnFailure: PATH !== undefined },
      );
      const seconds = (Date.now() - started) / 1000;
      const statuses = new Map<string, number>();
      for (const [key, n] of tally) {
        const status = key.split(' ').at(-1)!;
        statuses.set(status, (statuses.get(status) ?? 0) + n);
      }
      t.diagnostic(`${sent} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      // Replaying one case (FUZZ_PATH) sends just that case: the volume and coverage checks are for whole runs.
      if (PATH !== undefined) return;
      assert.ok(sent >= runs, `sent ${sent} requests, expected at least ${runs}`);
      // Each endpoint was reached, and most merchant traffic got past authentication into validation and the rules.
      if (runs >= 1000) {
        for (const endpoint of all) assert.ok([...tally.keys()].some((k) => k.startsWith(`${endpoint.name} `)), `${endpoint.name} was never fuzzed`);
      }
      const merchantNames = new Set(all.filter((e) => e.surface === 'merchant').map((e) => e.name));
      let merchantTotal = 0;
      let merchant401 = 0;
      for (const [key, n] of tally) {
        const name = key.slice(0, key.lastIndexOf(' '));
        if (!merchantNames.has(name)) continue;
        merchantTotal += n;
        if (key.endsWith(' 401')) merchant401 += n;
      }
      t.diagnostic(`time per endpoint (ms): ${JSON.stringify(Object.fromEntries([...timing].sort((x, y) => y[1] - x[1])))}`);
      t.diagnostic(`merchant API: ${merchantTotal} requests, ${merchant401} stopped at authentication`);
      const accepted = Object.fromEntries(
        all.filter((e) => e.guarded || e.name === 'initiate').map((e) => [e.name, [...tally].filter(([k]) => k.startsWith(`${e.name} 2`)).reduce((n, [, c]) => n + c, 0)]),
      );
      t.diagnostic(`accepted by state-changing endpoints (playground and fresh initiates only): ${JSON.stringify(accepted)}`);
      if (runs >= 1000) assert.ok(merchant401 < merchantTotal / 2, `${merchant401} of ${merchantTotal} merchant requests were 401`);
    });

    test('the payments seeded before the fuzz are unchanged and reconcile(store) is clean', async () => {
      const after_ = await snapshotPayments(kasse, owner, ctx.sentinels);
      assert.deepEqual(after_, before_);
      const report = await reconcile(kasse.kasse.store);
      assert.deepEqual(report.violations, []);
      assert.equal(report.ok, true);
    });
  });
}
