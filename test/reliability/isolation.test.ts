// Goal: merchant B learns nothing about merchant A's payments and changes none of them, whatever credentials and identifiers it mixes; method: every merchant endpoint × every state of A's payments × every credential mix, each answer compared byte for byte with the same request for a never-used orderId of the same length, then A's payments snapshotted and reconcile(store) run.
//
// CI form: `node scripts/run-tests.mjs test/reliability/isolation.test.ts`; `RELIABILITY=full` adds the full cartesian of
// credential mixes × body MSN variants (the CI form sends the foreign-MSN bodies with B's own credentials only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { testDialects } from '../support/databases.ts';
import { signInToApp } from '../support/app-session.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { FULL, WireClient, notAVippsError, seedEveryState, snapshotPayments, type Sentinel, type WireResponse } from './fuzz-support.ts';

const A_PREFIX = 'iso-a';
/** Never used by anyone, and as long as A's prefix: the twin of `iso-a-reserved` is `iso-n-reserved`. */
const TWIN_PREFIX = 'iso-n';
const twinOf = (orderId: string) => TWIN_PREFIX + orderId.slice(A_PREFIX.length);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Party {
  client: MerchantClient;
  msn: string;
  token: string;
  key: string;
}

/** The answer as bytes a client could compare: status, headers (minus the clock and connection ones) and body, with the orderId and per-request ids masked. */
function fingerprint(response: WireResponse, orderIds: string[]): string {
  const mask = (text: string) => orderIds.reduce((t, id) => t.split(id).join('<orderId>'), text).replace(UUID, '<uuid>');
  const headers = Object.entries(response.headers)
    .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([name, value]) => `${name}: ${mask(value)}`);
  return [`${response.status}`, ...headers, '', mask(response.text)].join('\n');
}

const dialects = testDialects();

for (const dialect of dialects) {
  describe(`merchant isolation (${dialect})`, () => {
    let kasse: TestKasse;
    let receiver: CallbackReceiver;
    let wire: WireClient;
    let a: Party;
    let b: Party;
    let sentinels: Sentinel[];
    let before_: unknown;
    let requests = 0;
    /** The app session of user 91234567 (cookie and CSRF token), for the app API. */
    let appUser: Array<[string, string]>;

    const send = async (method: string, path: string, headers: Array<[string, string]>, body?: unknown): Promise<WireResponse> => {
      requests++;
      const payload = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
      return wire.send({ method, path, headers: payload ? [...headers, ['Content-Type', 'application/json']] : headers, body: payload, raw: null });
    };

    before(async () => {
      kasse = await startTestKasse({ dialect });
      receiver = await new CallbackReceiver().start();
      wire = WireClient.of(kasse);
      const party = async (client: MerchantClient): Promise<Party> => ({ client, msn: client.msn, token: await client.token(), key: client.credentials.subscriptionKey });
      a = await party(await MerchantClient.create(kasse.baseUrl, { name: 'Merchant A' }));
      b = await party(await MerchantClient.create(kasse.baseUrl, { name: 'Merchant B' }));
      sentinels = await seedEveryState(kasse, a.client, A_PREFIX, `${receiver.url}/a-callbacks`);
      before_ = await snapshotPayments(kasse, a.client, sentinels);
      appUser = Object.entries((await signInToApp(kasse.baseUrl, '91234567')).headers);
    });

    after(async () => {
      wire?.close();
      await receiver?.close();
      await kasse?.close();
    });

    test("every merchant endpoint answers B for each of A's orders exactly as for an orderId nobody used, under every credential mix", async (t) => {
      const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
      const key = (value: string): [string, string] => ['Ocp-Apim-Subscription-Key', value];
      const credentialMixes: Array<{ label: string; headers: (s: Sentinel) => Array<[string, string]> }> = [
        { label: "B's token and key", headers: () => [bearer(b.token), key(b.key)] },
        { label: "B's token with A's subscription key", headers: () => [bearer(b.token), key(a.key)] },
        { label: "A's token with B's subscription key", headers: () => [bearer(a.token), key(b.key)] },
        { label: "B's credentials, Merchant-Serial-Number A", headers: () => [bearer(b.token), key(b.key), ['Merchant-Serial-Number', a.msn]] },
        { label: "B's credentials, then A's token as a second Authorization", headers: () => [bearer(b.token), key(b.key), bearer(a.token)] },
        { label: "A's token first, then B's, with B's key", headers: () => [bearer(a.token), bearer(b.token), key(b.key)] },
        { label: "B's credentials plus A's subscription key as a second header", headers: () => [bearer(b.token), key(b.key), key(a.key)] },
        { label: "A's subscription key alone", headers: () => [key(a.key)] },
        { label: "A's token alone", headers: () => [bearer(a.token)] },
        { label: 'no credentials', headers: () => [] },
        {
          label: "B's credentials reusing an X-Request-Id A used on this order",
          headers: (s) => [bearer(b.token), key(b.key), ['X-Request-Id', s.requestIds.at(-1) ?? 'iso-reused']],
        },
      ];
      const msnVariants: Array<{ label: string; msn: (p: Party) => string | number }> = [
        { label: "B's MSN in the body", msn: () => b.msn },
        { label: "A's MSN in the body", msn: () => a.msn },
        { label: "A's MSN as a number in the body", msn: () => Number(a.msn) },
      ];
      const endpoints: Array<{ name: string; method: string; path: (id: string) => string; body: ((msn: string | number, s: Sentinel) => unknown) | null }> = [
        {
          name: 'capture',
          method: 'POST',
          path: (id) => `/ecomm/v2/payments/${id}/capture`,
          body: (msn) => ({ merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 1000, transactionText: 'steal' } }),
        },
        {
          name: 'capture all',
          method: 'POST',
          path: (id) => `/ecomm/v2/payments/${id}/capture`,
          body: (msn) => ({ merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 0, transactionText: 'steal' } }),
        },
        {
          name: 'refund',
          method: 'POST',
          path: (id) => `/ecomm/v2/payments/${id}/refund`,
          body: (msn) => ({ merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 1000, transactionText: 'steal' } }),
        },
        {
          name: 'cancel',
          method: 'PUT',
          path: (id) => `/ecomm/v2/payments/${id}/cancel`,
          body: (msn) => ({ merchantInfo: { merchantSerialNumber: msn }, transaction: { transactionText: 'steal' } }),
        },
        {
          name: 'release',
          method: 'PUT',
          path: (id) => `/ecomm/v2/payments/${id}/cancel`,
          body: (msn) => ({ merchantInfo: { merchantSerialNumber: msn }, transaction: { transactionText: 'steal' }, shouldReleaseRemainingFunds: true }),
        },
        { name: 'details', method: 'GET', path: (id) => `/ecomm/v2/payments/${id}/details`, body: null },
        { name: 'status', method: 'GET', path: (id) => `/ecomm/v2/payments/${id}/status`, body: null },
        {
          name: 'force approve with A’s landing token',
          method: 'POST',
          path: (id) => `/ecomm/v2/integration-test/payments/${id}/approve`,
          body: (_msn, s) => ({ customerPhoneNumber: '91234567', token: s.token }),
        },
      ];

      // Control: the comparison is sharp enough to see existence (A asking about its own order differs from the twin).
      const ownHeaders: Array<[string, string]> = [bearer(a.token), key(a.key)];
      const reservedOrder = sentinels.find((s) => s.label === 'reserved')!.orderId;
      const own = await send('GET', `/ecomm/v2/payments/${reservedOrder}/details`, ownHeaders);
      const ownTwin = await send('GET', `/ecomm/v2/payments/${twinOf(reservedOrder)}/details`, ownHeaders);
      assert.notEqual(fingerprint(own, [reservedOrder, twinOf(reservedOrder)]), fingerprint(ownTwin, [reservedOrder, twinOf(reservedOrder)]));

      let pairs = 0;
      const statuses = new Map<number, number>();
      for (const sentinel of sentinels) {
        const twin = twinOf(sentinel.orderId);
        assert.equal(twin.length, sentinel.orderId.length);
        for (const endpoint of endpoints) {
          for (const mix of credentialMixes) {
            const own = mix.label === "B's token and key";
            const variants = endpoint.body === null || endpoint.name.startsWith('force') ? [msnVariants[0]!] : FULL || own ? msnVariants : [msnVariants[0]!];
            for (const variant of variants) {
              const headers = mix.headers(sentinel);
              const body = endpoint.body?.(variant.msn(b), sentinel);
              const forA = await send(endpoint.method, endpoint.path(sentinel.orderId), headers, body);
              const forTwin = await send(endpoint.method, endpoint.path(twin), headers, body);
              pairs++;
              statuses.set(forA.status, (statuses.get(forA.status) ?? 0) + 1);
              const what = `${endpoint.name} on A's ${sentinel.label} order, ${mix.label}, ${variant.label}`;
              assert.ok(forA.status >= 400 && forA.status < 500, `${what}: ${forA.status} ${forA.text}`);
              assert.equal(notAVippsError(forA.json), null, `${what}: not a Vipps error: ${forA.text}`);
              assert.equal(
                fingerprint(forA, [sentinel.orderId, twin]),
                fingerprint(forTwin, [sentinel.orderId, twin]),
                `${what}: the answer differs from the one for an orderId nobody used`,
              );
            }
          }
        }
      }
      t.diagnostic(`${pairs} request pairs (${pairs * 2} requests); statuses for A's orders ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      // The sweep reached the order lookup (404 Merchant 35) as well as authentication (401) and the MSN check (403).
      for (const status of [401, 403, 404]) assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} answers in the sweep`);
    });

    test("mixing A's and B's key material never yields an access token", async () => {
      const keysOf = (p: Party) => ({ id: p.client.credentials.clientId, secret: p.client.credentials.clientSecret, key: p.key });
      const [ka, kb] = [keysOf(a), keysOf(b)];
      for (const [id, secret, subscription] of [
        [kb.id, ka.secret, kb.key],
        [kb.id, kb.secret, ka.key],
        [ka.id, kb.secret, kb.key],
        [ka.id, ka.secret, kb.key],
        [kb.id, ka.secret, ka.key],
        [ka.id, kb.secret, ka.key],
      ] as const) {
        const response = await send('POST', '/accesstoken/get', [
          ['client_id', id],
          ['client_secret', secret],
          ['Ocp-Apim-Subscription-Key', subscription],
        ]);
        assert.equal(response.status, 401, response.text);
        assert.ok(!response.text.includes('access_token'), response.text);
      }
    });

    test("the user side shows a payment request and nothing else of A's: no keys, no callback URL or authToken, no other order", async () => {
      const secrets = [
        a.client.credentials.clientId,
        a.client.credentials.clientSecret,
        a.key,
        a.token,
        `secret-auth-token-${A_PREFIX}`,
        receiver.url,
        '/a-callbacks',
        b.client.credentials.clientId,
      ];
      for (const sentinel of sentinels) {
        for (const path of [`/_kasse/landing/${sentinel.token}`, `/_kasse/app/api/payments/${sentinel.token}`]) {
          const response = await send('GET', path, []);
          assert.equal(response.status, 200, `${path}: ${response.text}`);
          for (const secret of secrets) assert.ok(!response.text.includes(secret), `${path} shows ${secret}: ${response.text}`);
          const others = sentinels.filter((s) => s !== sentinel && response.text.includes(`"${s.orderId}"`));
          assert.deepEqual(others, [], `${path} names other orders of A`);
          const view = response.json as Record<string, unknown>;
          for (const msn of [a.msn, b.msn]) assert.ok(!Object.values(view).some((v) => String(v) === msn), `${path} shows an MSN`);
          const keys = Object.keys(view);
          assert.deepEqual(
            keys.filter((k) => /msn|serial|callback|authtoken|secret|clientid|subscription|userMsisdn|cardId|card_/i.test(k)),
            [],
            `${path} has merchant-internal fields: ${keys.join(', ')}`,
          );
        }
      }
      // The user's own app home lists the requests pushed to them, with the same restraint.
      const home = await send('GET', '/_kasse/app/api/users/91234567', appUser);
      assert.equal(home.status, 200, home.text);
      for (const secret of secrets) assert.ok(!home.text.includes(secret), `the app home shows ${secret}`);
    });

    test("A's orderId, MSN or keys used as a payment token on the user side answer like any unknown token", async () => {
      const user = (token: string) => [
        ['GET', `/_kasse/landing/${token}`, undefined],
        ['GET', `/_kasse/app/api/payments/${token}`, undefined],
        ['POST', `/_kasse/landing/${token}/push`, { mobileNumber: '91234567' }],
        ['POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn: '91234567' }],
        ['POST', `/_kasse/landing/${token}/cancel`, undefined],
        ['POST', `/_kasse/app/api/payments/${token}/reject`, undefined],
      ] as const;
      const guesses = [...sentinels.map((s) => s.orderId), a.msn, a.key, a.client.credentials.clientId];
      for (const guess of guesses) {
        const twin = guess.startsWith(A_PREFIX) ? twinOf(guess) : 'x'.repeat(guess.length);
        const calls = user(guess);
        const twinCalls = user(twin);
        for (let i = 0; i < calls.length; i++) {
          const [method, path, body] = calls[i]!;
          const [, twinPath] = twinCalls[i]!;
          const forGuess = await send(method, path, appUser, body);
          const forTwin = await send(method, twinPath, appUser, body);
          assert.equal(forGuess.status, 404, `${method} ${path}: ${forGuess.text}`);
          assert.equal(fingerprint(forGuess, [guess, twin]), fingerprint(forTwin, [guess, twin]), `${method} ${path}`);
        }
      }
    });

    test("B initiating A's orderIds gets its own new payments, and sees only those", async () => {
      for (const sentinel of sentinels) {
        const twin = twinOf(sentinel.orderId);
        const initiate = (orderId: string) =>
          send('POST', '/ecomm/v2/payments', [['Authorization', `Bearer ${b.token}`], ['Ocp-Apim-Subscription-Key', b.key]], b.client.initiateBody(orderId, 12_345));
        const forA = await initiate(sentinel.orderId);
        const forTwin = await initiate(twin);
        assert.equal(forA.status, 200, forA.text);
        const maskToken = (r: WireResponse) => ({ ...r, text: r.text.replace(/token=[A-Za-z0-9_-]+/, 'token=<token>') });
        assert.equal(fingerprint(maskToken(forA), [sentinel.orderId, twin]), fingerprint(maskToken(forTwin), [sentinel.orderId, twin]));
        // B's details of that orderId are B's payment: one INITIATE of 123.45 kr, nothing of A's history.
        const details = await b.client.details(sentinel.orderId);
        assert.equal(details.status, 200, details.text);
        assert.deepEqual(
          details.body.transactionLogHistory.map((e: { operation: string; amount: number }) => [e.operation, e.amount]),
          [['INITIATE', 12_345]],
        );
      }
    });

    test("A's payments are unchanged afterwards and reconcile(store) is clean", async (t) => {
      t.diagnostic(`${requests} requests sent by the isolation sweep`);
      const after_ = await snapshotPayments(kasse, a.client, sentinels);
      assert.deepEqual(after_, before_);
      const report = await reconcile(kasse.kasse.store);
      assert.deepEqual(report.violations, []);
      assert.equal(report.ok, true);
    });
  });
}
