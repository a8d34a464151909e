// Goal: in production mode (KASSE_MODE=production) nobody gets in who must not: every route the server registered is
// called without credentials, with another merchant's keys and with another user's app session, and afterwards nothing
// is reserved, created or changed and no answer shows what it must not. Force approve is refused as the real
// production API refuses it, sandbox routes do not exist, nobody is provisioned on first use.
// Method: a real Kasse in production mode; the operator creates the merchants and users through its API; the route
// list comes from the server itself (registeredRoutes), so a route added later is swept too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { PRODUCTION_ADMIN_TOKEN, startTestKasse, type TestKasse } from '../support/harness.ts';
import { testDialects } from '../support/databases.ts';
import { signInRequest, signInToApp, type AppUser } from '../support/app-session.ts';
import { MerchantClient, httpRequest, type Credentials, type HttpResult } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

const VICTIM = { msisdn: '91111111', pin: '24680', lastName: 'Offerlund', email: 'victim-offerlund@example.com', cardId: 'victim-card-1' };
const ATTACKER = { msisdn: '92222222', pin: '13579' };

/** Tables whose rows the sweep must leave exactly as they were (app_session: the attacker's own sign-in is not in it). */
const WATCHED_TABLES = [
  'merchant',
  'sales_unit',
  'api_key',
  'test_user',
  'card',
  'card_hold',
  'user_address',
  'consent',
  'app_user_pin',
  'payment',
  'payment_session',
  'payment_operation',
  'ledger_line',
  'idempotency_key',
  'outbox',
] as const;

/**
 * Routes whose credential is the landing token itself (the shopper's link, as on the real landing page: whoever has it
 * may enter a number or cancel). The other-user pass, which holds the victim's token, leaves them out; the
 * credential-less pass sends them a token that is nobody's.
 */
const LANDING_TOKEN_ROUTES = new Set(['/_kasse/landing/:token/push', '/_kasse/landing/:token/cancel']);

/** Answers that are public by design: pages, assets, docs, probes, metrics. Everything else must refuse. */
function isPublic(method: string, url: string): boolean {
  if (method !== 'GET') return false;
  return (
    url === '/' ||
    url === '/favicon.ico' ||
    url.startsWith('/_kasse/web/') ||
    url.startsWith('/_kasse/docs') ||
    url.startsWith('/_kasse/health') ||
    url === '/metrics' ||
    url === '/_kasse/app' ||
    url === '/_kasse/app/pay/:token' ||
    url === '/dwo-api-application/v1/deeplink/vippsgateway' ||
    // The payment request by its token (the shopper's link): what the landing page and the app show of one request.
    url === '/_kasse/landing/:token' ||
    url === '/_kasse/app/api/payments/:token' ||
    url.startsWith('/_kasse/qr') ||
    // The log-in pages of the merchant portal and the operator console.
    url === '/portal/login' ||
    url === '/console/login'
  );
}

/** The portal and the console send a page request without a session to their log-in page (fetch follows the 303). */
function isLogInPage(answer: HttpResult): boolean {
  return answer.status === 200 && /<title>Log in · /.test(answer.text);
}

for (const dialect of testDialects()) {
  describe(`production mode lets no one in (${dialect})`, () => {
    let k: TestKasse;
    let a: MerchantClient;
    let b: MerchantClient;
    let merchantA: { id: string; msn: string };
    let victimApp: AppUser;
    let attackerApp: AppUser;
    /** The victim's payments at A: one waiting for the victim, one the victim reserved. */
    const orders = { waiting: 'victim-waiting', reserved: 'victim-reserved' };
    const tokens: Record<keyof typeof orders, string> = { waiting: '', reserved: '' };
    const urls: Record<keyof typeof orders, string> = { waiting: '', reserved: '' };

    const operator = async (method: string, path: string, body?: unknown) => {
      const result = await httpRequest(`${k.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${PRODUCTION_ADMIN_TOKEN}` },
        ...(body !== undefined ? { body } : {}),
      });
      assert.ok(result.status >= 200 && result.status < 300, `${method} ${path}: ${result.status} ${result.text}`);
      return result.body;
    };

    async function merchant(name: string): Promise<{ client: MerchantClient; id: string; msn: string }> {
      const created = await operator('POST', '/_kasse/admin/merchants', { name });
      const unit = await operator('POST', `/_kasse/admin/merchants/${created.id}/sales-units`, { name: `${name} web`, rateLimits: false });
      const credentials = (await operator('POST', `/_kasse/admin/sales-units/${unit.msn}/keys`)) as Credentials;
      return { client: new MerchantClient(k.baseUrl, credentials), id: created.id, msn: unit.msn };
    }

    async function snapshot(): Promise<Record<string, unknown[]>> {
      const tables: Record<string, unknown[]> = {};
      for (const table of WATCHED_TABLES) {
        tables[table] = (await sql`SELECT * FROM ${sql.table(table)}`.execute(k.kasse.store.db)).rows.map((row) => JSON.stringify(row)).sort();
      }
      return tables;
    }

    before(async () => {
      k = await startTestKasse({ dialect, config: { mode: 'production' }, adminToken: PRODUCTION_ADMIN_TOKEN });
      const madeA = await merchant('Merchant A');
      const madeB = await merchant('Merchant B');
      a = madeA.client;
      b = madeB.client;
      merchantA = { id: madeA.id, msn: madeA.msn };
      await operator('POST', '/_kasse/admin/users', {
        msisdn: VICTIM.msisdn,
        pin: VICTIM.pin,
        lastName: VICTIM.lastName,
        email: VICTIM.email,
        cards: [{ id: VICTIM.cardId, availableOre: 500_000 }],
      });
      await operator('POST', '/_kasse/admin/users', { msisdn: ATTACKER.msisdn, pin: ATTACKER.pin, cards: [{ availableOre: 500_000 }] });
      for (const [key, orderId] of Object.entries(orders) as Array<[keyof typeof orders, string]>) {
        const initiated = await a.initiate(orderId, 10_000, { transaction: { scope: 'name email' } });
        assert.equal(initiated.status, 200, initiated.text);
        urls[key] = initiated.body.url;
        tokens[key] = MerchantClient.tokenOf(initiated.body.url);
        const pushed = await httpRequest(`${k.baseUrl}/_kasse/landing/${tokens[key]}/push`, { method: 'POST', body: { mobileNumber: VICTIM.msisdn } });
        assert.equal(pushed.status, 200, pushed.text);
      }
      victimApp = await signInToApp(k.baseUrl, VICTIM.msisdn, VICTIM.pin);
      const confirmed = await victimApp.request('POST', `/_kasse/app/api/payments/${tokens.reserved}/confirm`, { msisdn: VICTIM.msisdn, cardId: VICTIM.cardId });
      assert.equal(confirmed.body.result, 'approved', confirmed.text);
      attackerApp = await signInToApp(k.baseUrl, ATTACKER.msisdn, ATTACKER.pin);
      await k.kasse.jobs.drain();
    });

    after(() => k?.close());

    test('force approve answers as the real production API does: 403 VippsError 91, and the payment still waits for the user', async () => {
      const answer = await a.approve(orders.waiting, urls.waiting, VICTIM.msisdn);
      assertVippsError(answer, {
        status: 403,
        group: 'VippsError',
        code: '91',
        message: 'The transaction is not allowed. Force approve is only available in the test environment; in production the user approves in the app.',
      });
      const status = await a.call('GET', `/ecomm/v2/payments/${orders.waiting}/details`);
      assert.deepEqual(
        status.body.transactionLogHistory.map((e: { operation: string }) => e.operation),
        ['INITIATE'],
      );
    });

    test('sandbox routes do not exist, and no number is provisioned on first use', async () => {
      for (const [method, path] of [
        ['GET', '/_kasse/sandbox'],
        ['GET', '/_kasse/sandbox/users'],
        ['POST', '/_kasse/sandbox/users'],
        ['POST', '/_kasse/sandbox/merchants'],
        ['POST', '/_kasse/sandbox/clock'],
        ['POST', '/_kasse/sandbox/reset'],
      ] as const) {
        const answer = await httpRequest(`${k.baseUrl}${path}`, { method, ...(method === 'POST' ? { body: {} } : {}) });
        assert.equal(answer.status, 404, `${method} ${path}: ${answer.text}`);
      }
      const initiated = await a.initiate('stranger-order', 5_000);
      const pushed = await httpRequest(`${k.baseUrl}/_kasse/landing/${MerchantClient.tokenOf(initiated.body.url)}/push`, {
        method: 'POST',
        body: { mobileNumber: '93333333' },
      });
      assertVippsError(pushed, { status: 400, group: 'User', code: '81', message: /not a Vipps user/ });
      const withoutPin = await signInRequest(k.baseUrl, '93333333', null);
      assertVippsError(withoutPin, { status: 400, group: 'InvalidRequest', code: 'pin', message: 'Enter your PIN' });
      const withPin = await signInRequest(k.baseUrl, '93333333', '12345');
      assert.equal(withPin.status, 401, withPin.text);
      assert.equal(withPin.body[0].errorCode, 'wrong_number_or_pin');
      const users = await k.kasse.store.db.selectFrom('test_user').select('msisdn').orderBy('msisdn').execute();
      assert.deepEqual(users.map((u) => u.msisdn), [VICTIM.msisdn, ATTACKER.msisdn]);
      assert.equal(await k.kasse.store.db.selectFrom('bank').select('id').execute().then((rows) => rows.length), 1, 'only the default bank');
    });

    test('every registered route, without credentials, with merchant B’s keys and with another user’s session: nothing reserved, read or changed', async () => {
      // What fetch can send (the router's HEAD answers GET routes; TRACE and the like are no route of Kasse's).
      const routes = k.kasse.app.registeredRoutes().filter((r) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
      assert.ok(routes.length > 40, `the server lists its routes (${routes.length})`);
      const before_ = await snapshot();
      const bKeys = await b.authHeaders();
      const secrets = [VICTIM.lastName, VICTIM.email, VICTIM.cardId, a.credentials.clientSecret, a.credentials.subscriptionKey, PRODUCTION_ADMIN_TOKEN];
      const nobodysToken = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

      // Each pass may read what is its own: B its own lists (routes that name nothing of A's), the attacker its session.
      const passes: Array<{ name: string; headers: Record<string, string>; token: string | null; own: (url: string) => boolean; secrets: string[] }> = [
        { name: 'no credentials', headers: {}, token: nobodysToken, own: () => false, secrets },
        {
          name: "merchant B's keys",
          headers: { ...bKeys, 'merchant-serial-number': b.credentials.merchantSerialNumber },
          token: nobodysToken,
          own: (url) => !url.includes(':'),
          secrets: [...secrets, merchantA.msn],
        },
        { name: "another user's session", headers: attackerApp.headers, token: null, own: (url) => url === '/_kasse/app/api/session', secrets },
      ];
      const report: string[] = [];
      let sent = 0;
      for (const pass of passes) {
        for (const route of routes) {
          if (pass.token === null && LANDING_TOKEN_ROUTES.has(route.url)) continue;
          // Signing out ends only the caller's own session (test/http/app-sign-in.test.ts); here it would end the pass.
          if (route.url === '/_kasse/app/api/session/sign-out' && pass.token === null) continue;
          for (const orderKey of Object.keys(orders) as Array<keyof typeof orders>) {
            const token = pass.token ?? tokens[orderKey];
            const path = route.url
              .replace(':orderId', orders[orderKey])
              .replace(':token', token)
              .replace(':msisdn', VICTIM.msisdn)
              .replace(':msn', merchantA.msn)
              .replace(':merchantId', merchantA.id)
              .replace(':clientId', a.credentials.clientId)
              .replace(':sub', 'victim-sub')
              .replace(':id', '1')
              .replace('*', 'index.html');
            const query = route.url === '/dwo-api-application/v1/deeplink/vippsgateway' ? `?token=${token}` : route.url.endsWith('/shipping') || route.url.endsWith('/consent') ? `?msisdn=${VICTIM.msisdn}` : '';
            const body = ['POST', 'PUT', 'PATCH'].includes(route.method)
              ? {
                  msisdn: VICTIM.msisdn,
                  mobileNumber: ATTACKER.msisdn,
                  customerPhoneNumber: VICTIM.msisdn,
                  token,
                  cardId: VICTIM.cardId,
                  // Not the victim's PIN (that is the victim's credential) and not a wrong one (that counts an attempt).
                  pin: null,
                  merchantSerialNumber: merchantA.msn,
                  modificationAmount: 100,
                  transaction: { amount: 100, transactionText: 'sweep' },
                }
              : undefined;
            const answer: HttpResult = await httpRequest(`${k.baseUrl}${path}${query}`, {
              method: route.method,
              headers: { ...pass.headers, 'x-kasse-app': '1' },
              ...(body !== undefined ? { body } : {}),
            });
            sent++;
            const where = `${pass.name}: ${route.method} ${path}${query} → ${answer.status}`;
            if (answer.status >= 500) report.push(`${where} (server error)`);
            const allowed = isPublic(route.method, route.url) || (route.method === 'GET' && pass.own(route.url));
            if (answer.status < 400 && !allowed && !isLogInPage(answer)) report.push(`${where} was accepted: ${answer.text.slice(0, 200)}`);
            // The log-in page repeats the path it was asked for (to return there after logging in), and nothing else.
            const shown = isLogInPage(answer) ? answer.text.replace(/name="next" value="[^"]*"/g, '') : answer.text;
            for (const secret of pass.secrets) if (shown.includes(secret)) report.push(`${where} shows ${secret}`);
          }
        }
      }
      assert.deepEqual(report, [], `${report.length} of ${sent} requests`);
      await k.kasse.jobs.drain();
      const after_ = await snapshot();
      for (const table of WATCHED_TABLES) assert.deepEqual(after_[table], before_[table], `${table} changed`);
      const payments = await k.kasse.store.db.selectFrom('payment').select(['order_id', 'state']).where('msn', '=', merchantA.msn).orderBy('order_id').execute();
      assert.deepEqual(
        payments.filter((p) => p.order_id.startsWith('victim-')).map((p) => [p.order_id, p.state]),
        [
          [orders.reserved, 'reserved'],
          [orders.waiting, 'initiated'],
        ],
      );
    });

    test('the victim can still do all of it: the sweep refused the others, not the user', async () => {
      const view = await victimApp.request('GET', `/_kasse/app/api/users/${VICTIM.msisdn}`);
      assert.equal(view.status, 200, view.text);
      assert.deepEqual(
        view.body.pending.map((p: { orderId: string }) => p.orderId),
        [orders.waiting],
      );
    });
  });
}
