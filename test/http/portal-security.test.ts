// Goal: the merchant portal keeps merchants apart and resists the usual web attacks: a session of merchant A reaches
// nothing of merchant B on any /portal route (enumerated from the server's own route table) — B's payment, call,
// key, sales unit, settlement and transaction report answer 404 exactly like unknown ones and never appear on A's
// pages (B's sales unit as a filter of A's transactions, API calls or checklist is "not found" too); every
// state-changing request without the session's CSRF token, or from another site, is refused; the session cookie is
// HttpOnly, SameSite=Strict, scoped to /portal and Secure behind https; every portal page carries the strict CSP;
// passwords never reach the log; roles limit what a user may do; bad input to the new pages is a 400 naming the field;
// a report downloads through the session; the lockout works over HTTP on the sandbox clock.
// Method: a real Kasse with a capturing logger; two sandbox merchants with payments, callbacks and settlements.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../../src/clock.ts';
import { listKeys } from '../../src/core/merchants/api-keys.ts';
import { LOGIN_LOCKOUT } from '../../src/core/web-accounts/accounts.ts';
import { REDACTED_PATHS } from '../../src/http/server.ts';
import { createKasse, type Kasse } from '../../src/kasse.ts';
import { moveTo, SettlementMerchant } from '../scenario/settlement-support.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { TEST_EPOCH_MS, type TestKasse } from '../support/harness.ts';
import { issuedKeyOn } from '../support/issued-key.ts';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';
import { PortalSession, submitLogin } from '../support/portal-client.ts';

/** Every route of the server's table under /portal, with its methods, read from fastify's own printout. */
function portalRoutesOf(kasse: Kasse): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of kasse.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^[│ ]*[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = Math.floor((line.indexOf('──') - 1) / 4);
    stack.length = depth;
    stack[depth] = match[1] ?? '';
    const path = stack.join('').replace(/^\/?/, '/');
    if (match[2] && path.startsWith('/portal')) routes.push({ path, methods: match[2].split(', ').filter((m) => m !== 'HEAD') });
  }
  return routes;
}

describe('the merchant portal: isolation, CSRF, cookies, CSP, logging, roles, lockout', () => {
  let k: TestKasse;
  let database: TestDatabase;
  let receiver: CallbackReceiver;
  const logLines: string[] = [];
  let a: SettlementMerchant;
  let b: SettlementMerchant;
  let bOrder: string;
  let bCallId: number;
  let bSettlementId: string;
  let bReportId: string;

  before(async () => {
    database = await freshDatabase('sqlite');
    receiver = await new CallbackReceiver().start();
    const clock = new ManualClock(TEST_EPOCH_MS);
    // The log as `npm start` writes it (the same redaction), at the most talkative level.
    const logger = pino(
      { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
      new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }),
    );
    const kasse = await createKasse({
      databaseUrl: database.url,
      clock,
      timeTravel: { advance: async (ms) => clock.advance(ms), backToRealTime: async () => clock.resetOffset() },
      jobPollIntervalMs: 50,
      logger,
    });
    await kasse.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(kasse.app.server.address() as { port: number }).port}`;
    kasse.ctx.config.publicUrl = baseUrl;
    k = {
      kasse,
      baseUrl,
      clock,
      dialect: 'sqlite',
      databaseUrl: database.url,
      advance: async (ms) => (clock.advance(ms), kasse.jobs.drain()),
      close: async () => (await kasse.close(), database.drop()),
    };
    a = await SettlementMerchant.create(k);
    b = await SettlementMerchant.create(k);
    await a.sell(10_000);
    // B's order calls back to the receiver, so B has an outbound call with an attempt.
    bOrder = 'b-order-secret-1';
    const bClient = b.client;
    const initiated = await bClient.initiate(bOrder, 25_000, { merchantInfo: { callbackPrefix: `${receiver.url}/callbacks` } });
    assert.equal(initiated.status, 200, initiated.text);
    assert.equal((await bClient.approve(bOrder, initiated.body.url)).status, 200);
    await b.capture(bOrder, 25_000);
    await receiver.waitFor(1);
    const subscribed = await httpRequest(`${k.baseUrl}/_kasse/reports/subscriptions`, { method: 'PUT', headers: await bClient.authHeaders(), body: { frequency: 'daily' } });
    assert.equal(subscribed.status, 200, subscribed.text);
    await moveTo(k, '2026-01-06T12:00');
    const calls = await b.get(`/_kasse/callbacks?orderId=${bOrder}`);
    bCallId = calls.body.callbacks[0].id;
    bSettlementId = (await b.settlements())[0].settlementId;
    bReportId = (await b.get('/_kasse/reports')).body.items[0]?.reportId;
    assert.ok(bCallId && bSettlementId && bReportId);
  });
  after(async () => {
    await receiver.close();
    await k.close();
  });

  const logIn = (merchant: SettlementMerchant) => PortalSession.logIn(k.baseUrl, merchant.credentials.portalEmail, merchant.credentials.portalPassword);

  test('the route table has the portal routes this sweep must cover', () => {
    const paths = portalRoutesOf(k.kasse).map((r) => r.path);
    for (const expected of [
      '/portal',
      '/portal/login',
      '/portal/logout',
      '/portal/transactions',
      '/portal/transactions.csv',
      '/portal/payments/:msn/:orderId',
      '/portal/api-calls',
      '/portal/checklist',
      '/portal/sales-units/:msn/keys/:clientId/revoke',
      '/portal/settlements/:msn/:file',
      '/portal/reports',
      '/portal/reports/:msn/subscriptions',
      '/portal/reports/:msn/subscriptions/:frequency/end',
      '/portal/reports/:msn/:reportFile',
      '/portal/users',
    ]) {
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(' ')}`);
    }
  });

  test("a session of merchant A reaches nothing of merchant B on any portal route: 404 like an unknown one, never B's data", async () => {
    const session = await logIn(a);
    const ofB: Record<string, string> = {
      msn: b.msn,
      orderId: bOrder,
      id: String(bCallId),
      clientId: b.credentials.clientId,
      file: `${bSettlementId}.pdf`,
      frequency: 'daily',
      reportFile: `${bReportId}.csv`,
    };
    const unknown: Record<string, string> = {
      msn: '999999',
      orderId: 'no-such-order',
      id: '999999999',
      clientId: '00000000-0000-0000-0000-000000000000',
      file: '999999999.pdf',
      frequency: 'daily',
      reportFile: '999999999.csv',
    };
    // The pages whose msn parameter filters (or picks) A's sales units: B's is "not found"; the others ignore it.
    const filtersByMsn = /^\/portal\/(transactions|api-calls|checklist)/;
    const fill = (path: string, values: Record<string, string>) => path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(values[name] ?? name));
    const secrets = [b.msn, bOrder, b.credentials.clientId];
    let swept = 0;
    for (const route of portalRoutesOf(k.kasse)) {
      if (route.path === '/portal/login' || route.path === '/portal/logout') continue;
      for (const method of route.methods) {
        const send = (path: string) => (method === 'GET' ? session.get(path) : session.post(path, { email: `x${swept}@example.com`, role: 'developer' }));
        if (route.path.includes(':')) {
          const foreign = await send(fill(route.path, ofB));
          const missing = await send(fill(route.path, unknown));
          assert.equal(foreign.status, 404, `${method} ${route.path} with B's values: ${foreign.status}`);
          assert.equal(foreign.text, missing.text, `${method} ${route.path}: B's answer is the unknown one's`);
        } else {
          // Lists and forms: A's own data, never B's; and B's sales unit as a filter is "not found".
          const answered = await send(route.path);
          assert.ok([200, 201, 303].includes(answered.status), `${method} ${route.path}: ${answered.status}`);
          // A form that redirects (adding a user) is judged by the page it lands on.
          const own = answered.status === 303 ? await session.get(answered.location!) : answered;
          assert.equal(own.status, 200, `${method} ${route.path} lands on ${answered.location}: ${own.status}`);
          for (const secret of secrets) assert.ok(!own.text.includes(secret), `${method} ${route.path} shows B's ${secret}`);
          if (method === 'GET') assert.equal((await session.get(`${route.path}?msn=${b.msn}`)).status, filtersByMsn.test(route.path) ? 404 : 200, `GET ${route.path}?msn=B`);
        }
        swept++;
      }
    }
    assert.ok(swept >= 20, `swept ${swept} route/method pairs`);
    // A's own sales unit with B's report id: still exactly "not found".
    const foreignReport = await session.get(`/portal/reports/${a.msn}/${bReportId}.csv`);
    assert.equal(foreignReport.status, 404);
    assert.equal(foreignReport.text, (await session.get(`/portal/reports/${a.msn}/999999999.csv`)).text);
    // B's key survived A's revoke and rotate attempts.
    const stillWorks = await b.get('/_kasse/settlements');
    assert.equal(stillWorks.status, 200);
  });

  test('every state-changing request needs the session CSRF token and this site as origin', async () => {
    const session = await logIn(a);
    const create = `/portal/sales-units/${a.msn}/keys`;
    assert.equal((await session.post(create, {}, { csrf: false })).status, 403, 'no token');
    assert.equal((await session.post(create, { _csrf: `${session.csrf}x` })).status, 403, 'a wrong token');
    const other = await logIn(a);
    assert.equal((await session.post(create, { _csrf: other.csrf })).status, 403, "another session's token");
    assert.equal((await session.post(create, {}, { headers: { origin: 'https://evil.example' } })).status, 403, 'another site');
    assert.equal((await session.post('/portal/logout', {}, { csrf: false })).status, 403, 'log-out too');
    assert.equal((await session.post(create)).status, 303, 'with the token it works');
    // The report subscriptions too: nothing changes without the token.
    const subscribe = `/portal/reports/${a.msn}/subscriptions`;
    assert.equal((await session.post(subscribe, { frequency: 'monthly' }, { csrf: false })).status, 403, 'subscribe without a token');
    assert.equal((await session.post(subscribe, { _csrf: other.csrf, frequency: 'monthly' })).status, 403, "subscribe with another session's token");
    assert.equal((await session.post(subscribe, { frequency: 'monthly' }, { headers: { origin: 'https://evil.example' } })).status, 403, 'subscribe from another site');
    assert.ok(!(await session.get('/portal/reports')).text.includes('data-frequency="monthly"'), 'no subscription was made');
    assert.equal((await session.post(`${subscribe}/monthly/end`, {}, { csrf: false })).status, 403, 'unsubscribe without a token');
    // The log-in form is bound to its own cookie: a form posted from elsewhere (no cookie) is refused.
    const forged = await fetch(`${k.baseUrl}/portal/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: 'guess', email: a.credentials.portalEmail, password: a.credentials.portalPassword }),
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.getSetCookie().some((c) => c.startsWith('kasse_portal=')), false);
  });

  test('rotating a key shows the new secrets once; the old key gets 401 at once, the new one works', async () => {
    const merchant = await MerchantClient.create(k.baseUrl);
    const session = await PortalSession.logIn(k.baseUrl, merchant.credentials.portalEmail, merchant.credentials.portalPassword);
    assert.equal((await merchant.details('none')).status, 404, 'the old key works before');
    const rotated = await session.post(`/portal/sales-units/${merchant.msn}/keys/${merchant.credentials.clientId}/rotate`);
    assert.equal(rotated.status, 303, rotated.text);
    assert.equal(rotated.location, '/portal/sales-units');
    assert.ok(!rotated.text.includes('issued-client-secret'), 'the answer to the form carries no secret');
    const shown = await session.get(rotated.location!);
    assert.equal(shown.headers.get('cache-control'), 'no-store');
    const issued = issuedKeyOn(shown.text);
    assert.ok(issued, 'the page the form redirects to shows the new key');
    const fresh = new MerchantClient(k.baseUrl, { ...merchant.credentials, ...issued });
    assert.equal((await httpRequest(`${k.baseUrl}/ecomm/v2/payments/none/details`, { headers: await merchant.authHeaders() })).status, 401, 'the old key, at once');
    assert.equal((await fresh.details('none')).status, 404, 'the new key works');
    assert.equal(issuedKeyOn((await session.get('/portal/sales-units')).text), undefined, 'the secret is not shown again');
  });

  test('reloading the page after a new key shows no secret and issues no second key; the sealed secrets open in no other session', async () => {
    const merchant = await MerchantClient.create(k.baseUrl);
    const session = await PortalSession.logIn(k.baseUrl, merchant.credentials.portalEmail, merchant.credentials.portalPassword);
    const keysBefore = (await listKeys(k.kasse.ctx, merchant.msn)).length;
    const created = await session.post(`/portal/sales-units/${merchant.msn}/keys`);
    assert.equal(created.status, 303);
    const sealed = created.headers.getSetCookie().find((line) => line.startsWith('kasse_portal_issued_key='));
    assert.ok(sealed, 'the secrets travel to the next page sealed in a cookie');
    assert.match(sealed, /HttpOnly/i);
    assert.match(sealed, /SameSite=Strict/i);
    assert.match(sealed, /Path=\/portal/);
    // Another session of the same account presenting the cookie gets nothing out of it.
    const other = await PortalSession.logIn(k.baseUrl, merchant.credentials.portalEmail, merchant.credentials.portalPassword);
    const stolen = await other.get('/portal/sales-units', { cookie: `${other.cookie}; ${sealed.split(';')[0]}` });
    assert.equal(issuedKeyOn(stolen.text), undefined, 'bound to the session that issued the key');
    // Its own session sees the key once; the reload is a GET: no form is sent again, no second key is made.
    const issued = issuedKeyOn((await session.get(created.location!)).text);
    assert.ok(issued);
    for (const secret of [issued.clientId, issued.clientSecret, issued.subscriptionKey]) assert.ok(!sealed.includes(secret), 'the cookie does not show them');
    const reloaded = await session.get(created.location!);
    assert.equal(reloaded.status, 200);
    assert.equal(issuedKeyOn(reloaded.text), undefined, 'shown once');
    assert.ok(reloaded.text.includes(`data-client-id="${issued.clientId}"`), 'the new key is listed, without its secrets');
    assert.equal((await listKeys(k.kasse.ctx, merchant.msn)).length, keysBefore + 1, 'one key made');
  });

  test('the session cookie is HttpOnly, SameSite=Strict, for /portal only, and Secure when Kasse is served over https', async () => {
    const plain = await submitLogin(k.baseUrl, a.credentials.portalEmail, a.credentials.portalPassword);
    const cookie = plain.headers.getSetCookie().find((c) => c.startsWith('kasse_portal='));
    assert.ok(cookie);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\/portal(;|$)/);
    assert.doesNotMatch(cookie, /; Secure/);
    const publicUrl = k.kasse.ctx.config.publicUrl;
    k.kasse.ctx.config.publicUrl = 'https://kasse.example.com';
    try {
      const secure = await submitLogin(k.baseUrl, a.credentials.portalEmail, a.credentials.portalPassword);
      for (const set of secure.headers.getSetCookie()) assert.match(set, /; Secure/, set);
    } finally {
      k.kasse.ctx.config.publicUrl = publicUrl;
    }
  });

  test('every portal page, the log-in page and the refusals carry the strict CSP and no inline script or style', async () => {
    const session = await logIn(a);
    const orderId = (await session.get('/portal/transactions')).text.match(/\/portal\/payments\/\d+\/([^"]+)"/)?.[1];
    assert.ok(orderId);
    const pages = [
      '/portal',
      '/portal/transactions',
      `/portal/payments/${a.msn}/${orderId}`,
      '/portal/api-calls',
      '/portal/checklist',
      '/portal/sales-units',
      '/portal/settlements',
      '/portal/reports',
      '/portal/users',
      '/portal/payments/1/none',
    ];
    const answers = [...(await Promise.all(pages.map((p) => session.get(p)))), await (async () => {
      const r = await fetch(`${k.baseUrl}/portal/login`);
      return { status: r.status, headers: r.headers, text: await r.text() };
    })()];
    for (const page of answers) {
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok(!/<script\b[^>]*>[^<]+<\/script>/i.test(page.text), 'no inline script');
      assert.ok(!/\sstyle="|<style\b|\son[a-z]+="/i.test(page.text), 'no inline style or handler');
    }
  });

  test('passwords never reach the log, whatever the log-in did', async () => {
    const wrong = 'not-the-password-4711';
    await submitLogin(k.baseUrl, a.credentials.portalEmail, wrong);
    const session = await logIn(a);
    const created = await session.post('/portal/users', { email: 'accountant@a.example', role: 'accountant' });
    assert.equal(created.status, 303);
    const password = /data-testid="created-password">([^<]+)</.exec((await session.get(created.location!)).text)?.[1];
    assert.ok(password);
    assert.ok(!/data-testid="created-password"/.test((await session.get('/portal/users')).text), 'shown once: a reload shows no password');
    const log = logLines.join('');
    assert.ok(log.includes('/portal/login'), 'the log-in requests were logged');
    for (const secret of [a.credentials.portalPassword, b.credentials.portalPassword, wrong, password]) assert.ok(!log.includes(secret), 'a password in the log');
  });

  test('roles: an accountant sees settlements but no keys; a developer manages keys but sees no settlements', async () => {
    const admin = await logIn(a);
    const users: Record<string, string> = {};
    for (const role of ['accountant', 'developer']) {
      const created = await admin.post('/portal/users', { email: `${role}-role@a.example`, role });
      assert.equal(created.status, 303);
      users[role] = /data-testid="created-password">([^<]+)</.exec((await admin.get(created.location!)).text)?.[1] ?? '';
    }
    const accountant = await PortalSession.logIn(k.baseUrl, 'accountant-role@a.example', users.accountant ?? '');
    assert.equal((await accountant.get('/portal/settlements')).status, 200);
    const units = await accountant.get('/portal/sales-units');
    assert.ok(!units.text.includes(a.credentials.clientId), 'no keys listed');
    assert.equal((await accountant.post(`/portal/sales-units/${a.msn}/keys`)).status, 403);
    assert.equal((await accountant.get('/portal/users')).status, 403);
    const developer = await PortalSession.logIn(k.baseUrl, 'developer-role@a.example', users.developer ?? '');
    assert.equal((await developer.get('/portal/settlements')).status, 403);
    assert.equal((await developer.get(`/portal/settlements/${a.msn}/1.pdf`)).status, 403);
    assert.ok((await developer.get('/portal/sales-units')).text.includes(a.credentials.clientId));
    assert.ok(!(await developer.get('/portal')).text.includes('nav-settlements'), 'the navigation leaves out what the role may not open');
    // The API traffic is the developer's; transaction reports are the accountant's.
    assert.equal((await developer.get('/portal/api-calls')).status, 200);
    assert.equal((await developer.get('/portal/checklist')).status, 200);
    assert.equal((await developer.get('/portal/reports')).status, 403);
    assert.equal((await developer.post(`/portal/reports/${a.msn}/subscriptions`, { frequency: 'daily' })).status, 403);
    assert.equal((await accountant.get('/portal/reports')).status, 200);
    assert.equal((await accountant.get('/portal/api-calls')).status, 403);
    assert.equal((await accountant.get('/portal/checklist')).status, 403);
    const accountantNav = (await accountant.get('/portal')).text;
    assert.ok(accountantNav.includes('nav-reports') && !accountantNav.includes('nav-api-calls') && !accountantNav.includes('nav-checklist'));
  });

  test('bad input to the API dashboard and the report forms is a 400 naming the field', async () => {
    const session = await logIn(a);
    for (const [path, field] of [
      ['/portal/api-calls?status=abc', 'status'],
      ['/portal/api-calls?status=6xx', 'status'],
      ['/portal/api-calls?endpoint=capture', 'endpoint'],
      ['/portal/api-calls?cursor=older', 'cursor'],
    ] as const) {
      const answer = await session.get(path);
      assert.equal(answer.status, 400, path);
      assert.match(answer.text, new RegExp(`Check ${field}`), path);
    }
    const subscribe = `/portal/reports/${a.msn}/subscriptions`;
    for (const [fields, field] of [
      [{ frequency: 'weekly' }, 'frequency'],
      [{}, 'frequency'],
      [{ frequency: 'daily', email: 'not an address' }, 'email'],
    ] as const) {
      const answer = await session.post(subscribe, fields);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.match(answer.text, new RegExp(`Check ${field}`));
    }
    const end = await session.post(`${subscribe}/weekly/end`);
    assert.equal(end.status, 400);
    assert.match(end.text, /Check frequency/);
    // Empty filter fields are "any", as the form sends them.
    assert.equal((await session.get('/portal/api-calls?msn=&endpoint=&status=&orderId=')).status, 200);
  });

  test("subscribe in the portal, and the morning after the report downloads through the session; B's keys cannot see it", async () => {
    const session = await logIn(a);
    const subscribed = await session.post(`/portal/reports/${a.msn}/subscriptions`, { frequency: 'daily', email: '' });
    assert.deepEqual([subscribed.status, subscribed.location], [303, `/portal/reports?done=subscribed&msn=${a.msn}&frequency=daily`]);
    const listed = await session.get(subscribed.location ?? '');
    assert.match(listed.text, new RegExp(`Subscribed to daily reports of sales unit ${a.msn}`));
    assert.match(listed.text, /data-testid="subscription" data-frequency="daily"/);
    const sold = await a.sell(4_200);
    await moveTo(k, '2026-01-08T07:00');
    const later = await logIn(a); // two days on, the first session has ended
    const page = (await later.get('/portal/reports')).text;
    // Newest period first: the report of the 7th (nothing sold), then the one of the 6th with the sale.
    const reportId = /data-report-id="(\d+)"><td class="num">\d+<\/td><td class="nowrap">2026-01-06 /.exec(page)?.[1];
    const csvHref = `/portal/reports/${a.msn}/${reportId}.csv`;
    assert.ok(reportId && page.includes(`href="${csvHref}"`), "the 6th's report is listed with its CSV");
    const csv = await later.get(csvHref);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename=/);
    assert.equal(csv.headers.get('cache-control'), 'no-store');
    assert.ok(csv.text.includes(sold.orderId), 'the report names the payment sold that day');
    assert.equal((await b.get(`/_kasse/reports/${reportId}.csv`)).status, 404, "B's keys do not reach A's report");
    const ended = await later.post(`/portal/reports/${a.msn}/subscriptions/daily/end`);
    assert.equal(ended.status, 303);
    assert.match((await later.get(ended.location ?? '')).text, /Ended the subscription to daily reports/);
  });

  test(`${LOGIN_LOCKOUT.failuresBeforeLock} wrong passwords lock the login for ${LOGIN_LOCKOUT.lockMs / 60_000} minutes of the sandbox clock; log-out ends the session`, async () => {
    const merchant = await MerchantClient.create(k.baseUrl);
    const { portalEmail, portalPassword } = merchant.credentials;
    for (let n = 0; n < LOGIN_LOCKOUT.failuresBeforeLock; n++) {
      const wrong = await submitLogin(k.baseUrl, portalEmail, `wrong-${n}`);
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /do not match an account/);
    }
    const locked = await submitLogin(k.baseUrl, portalEmail, portalPassword);
    assert.equal(locked.status, 429);
    assert.match(locked.text, /locked until/);
    const moved = await httpRequest(`${k.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: LOGIN_LOCKOUT.lockMs } });
    assert.equal(moved.status, 200);
    const session = await PortalSession.logIn(k.baseUrl, portalEmail, portalPassword);
    assert.equal((await session.get('/portal')).status, 200);
    const out = await session.post('/portal/logout');
    assert.deepEqual([out.status, out.location], [303, '/portal/login']);
    const after = await session.get('/portal');
    assert.equal(after.status, 303, 'a logged-out session is sent to the log-in');
    assert.equal((await session.get('/portal', { accept: 'application/json' })).status, 401);
  });
});
