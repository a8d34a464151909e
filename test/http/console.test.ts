// Goal: the operator's console keeps strangers out and changes only what its operator asked, audited as them.
//  - Every /console route (swept from the routes the console registers) refuses without a session: pages redirect to
//    the log-in, everything else 401; a merchant portal user's session does not open it either.
//  - A state-changing request without the session's CSRF token, with a wrong one, or from another site is refused
//    (403) and changes nothing.
//  - A change made in the console is the use case's (the unit changes, the cache is cleared) and the audit log names
//    the operator; bad input is 400 naming the field, an unknown sales unit, partner or partner key 404.
// Method: a live Kasse; the console's routes are collected by registering them on a bare Fastify with an onRoute hook;
// a cookie-keeping HTTP client logs in through the form.
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { after, before, describe, test } from 'node:test';
import { readAuditLog, SANDBOX_ACTOR } from '../../src/core/operators/audit.ts';
import { createOperator } from '../../src/core/operators/operator-accounts.ts';
import { createSandboxMerchant } from '../../src/core/sandbox/sandbox-merchants.ts';
import { consoleRoutes } from '../../src/http/routes/console/index.ts';
import { logIn } from '../../src/core/web-accounts/accounts.ts';
import { issuedKeyOn } from '../support/issued-key.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, vippsError } from '../support/merchant-client.ts';
import { WebSession } from '../support/web-session.ts';
import { assertStrictPage } from './http-helpers.ts';

const OPERATOR = { email: 'kam@kasse.test', password: 'console password 1' };

describe('the operator console over HTTP', () => {
  let k: TestKasse;
  let msn: string;
  let portalLogin: { portalEmail: string; portalPassword: string };
  before(async () => {
    k = await startTestKasse({ startJobs: false });
    await createOperator(k.kasse.ctx, SANDBOX_ACTOR, OPERATOR);
    const shop = await createSandboxMerchant(k.kasse.ctx, SANDBOX_ACTOR, { name: 'Console shop' });
    msn = shop.merchantSerialNumber;
    portalLogin = shop;
  });
  after(() => k.close());

  const loggedIn = async () => {
    const session = new WebSession(k.baseUrl, '/console');
    const answer = await session.logIn(OPERATOR.email, OPERATOR.password);
    assert.equal(answer.status, 303, answer.text);
    return session;
  };

  test('every console route refuses a request without a session, and a portal user’s session', async () => {
    const routes: Array<{ method: string; url: string }> = [];
    const probe = Fastify();
    probe.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    });
    await probe.register(consoleRoutes(k.kasse.ctx));
    await probe.ready();
    await probe.close();
    const guarded = routes.filter((r) => r.url !== '/console/login');
    assert.ok(guarded.length >= 9, `the sweep found the console's routes: ${JSON.stringify(guarded)}`);
    assert.ok(guarded.some((r) => r.url === '/console/sales-units/:msn/capture-type'));
    assert.ok(guarded.some((r) => r.url === '/console/partners/:partnerId/keys'));

    const stranger = new WebSession(k.baseUrl, '/console');
    // A merchant portal user's live session token presented as the console's cookie: sessions belong to one front end.
    const portalSession = await logIn(k.kasse.ctx, 'merchant', portalLogin.portalEmail, portalLogin.portalPassword);
    assert.ok(portalSession.ok);
    const crossKind = new WebSession(k.baseUrl, '/console');
    crossKind.setCookie('kasse_console', portalSession.session.token);

    for (const client of [stranger, crossKind]) {
      for (const { method, url } of guarded) {
        const path = url.replace(':msn', msn).replace(':merchantId', 'some-merchant').replace(':clientId', 'some-key').replace(':partnerId', 'some-partner');
        const answer = await client.request(method, path, method === 'GET' ? undefined : { captureType: 'direct', action: 'block', name: 'Intruder', msn });
        if (method === 'GET') {
          assert.equal(answer.status, 303, `${method} ${path}`);
          assert.match(answer.location ?? '', /^\/console\/login\?next=/);
        } else {
          assert.equal(answer.status, 401, `${method} ${path}`);
        }
      }
    }
    const unit = await k.kasse.store.db.selectFrom('sales_unit').selectAll().where('msn', '=', msn).executeTakeFirstOrThrow();
    assert.deepEqual([unit.capture_type, unit.status], ['reserve', 'active'], 'nothing changed');
    assert.equal((await k.kasse.store.db.selectFrom('partner').select('id').execute()).length, 0, 'no partner made');
  });

  test('CSRF: a change without the session’s token, with a wrong one, or from another site is refused and changes nothing', async () => {
    const session = await loggedIn();
    const path = `/console/sales-units/${msn}/capture-type`;
    assert.equal((await session.request('POST', path, { captureType: 'direct' })).status, 403, 'no token');
    assert.equal((await session.request('POST', path, { captureType: 'direct', _csrf: 'x'.repeat(43) })).status, 403, 'a wrong token');
    const page = await session.get('/console');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    assert.equal((await session.request('POST', path, { captureType: 'direct', _csrf: token }, { origin: 'https://evil.example' })).status, 403, 'another site');
    const unit = await k.kasse.store.db.selectFrom('sales_unit').select('capture_type').where('msn', '=', msn).executeTakeFirstOrThrow();
    assert.equal(unit.capture_type, 'reserve');
    assert.equal((await readAuditLog(k.kasse.ctx, { subject: msn })).filter((e) => e.actorKind === 'operator').length, 0);
  });

  test('a console change is the use case’s, takes effect at once, and the audit log names the operator', async () => {
    const session = await loggedIn();
    const merchant = new MerchantClient(k.baseUrl, await freshKeys(session));
    assert.equal((await merchant.initiate('before-block', 1000)).status, 200);
    const blocked = await session.submit(`/console/sales-units/${msn}/status`, { action: 'block' });
    assert.equal(blocked.status, 303);
    assert.equal(blocked.location, `/console/sales-units/${msn}?done=block`);
    assert.match((await session.get(blocked.location!)).text, /Blocked: the ecomm API answers Merchant 31/);
    // Only the page's own notices are shown: an inherited property name or anything else says nothing.
    for (const done of ['__proto__', 'constructor', 'toString', 'nonsense']) {
      const page = await session.get(`/console/sales-units/${msn}?done=${done}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /data-testid="flash"|\[object Object\]|native code/, `?done=${done}`);
    }
    const refused = await merchant.initiate('while-blocked', 1000);
    assert.equal(refused.status, 403);
    assert.equal(vippsError(refused.body).errorCode, '31', 'the auth cache was cleared on commit');
    const [entry] = await readAuditLog(k.kasse.ctx, { subject: msn });
    assert.deepEqual([entry?.actorKind, entry?.actor, entry?.action, entry?.before, entry?.after], ['operator', OPERATOR.email, 'sales-unit.block', { status: 'active' }, { status: 'blocked' }]);
    assert.equal((await session.submit(`/console/sales-units/${msn}/status`, { action: 'reactivate' })).status, 303);
    assert.equal((await merchant.initiate('after-reactivate', 1000)).status, 200);

    async function freshKeys(s: WebSession) {
      const created = await s.submit(`/console/sales-units/${msn}/keys`, {}, `/console/sales-units/${msn}`);
      assert.equal(created.status, 303);
      assert.equal(created.location, `/console/sales-units/${msn}`);
      const issued = issuedKeyOn((await s.get(created.location!)).text);
      assert.ok(issued, 'the page the form redirects to shows the new key');
      assert.equal(issuedKeyOn((await s.get(created.location!)).text), undefined, 'once: a reload shows no secret');
      // API keys only: the portal login is not what the console issues here.
      return { merchantSerialNumber: msn, ...issued, portalEmail: '', portalPassword: '' };
    }
  });

  test('every logged-in console page carries the strict CSP and no inline script, style or handler', async () => {
    const session = await loggedIn();
    const merchantId = (await k.kasse.store.db.selectFrom('sales_unit').select('merchant_id').where('msn', '=', msn).executeTakeFirstOrThrow()).merchant_id;
    const partner = await session.submit('/console/partners', { name: 'CSP platform' }, '/console/partners');
    assert.equal(partner.status, 303);
    for (const path of ['/console', `/console/merchants/${merchantId}`, `/console/sales-units/${msn}`, '/console/partners', partner.location!, '/console/audit-log', `/console/audit-log?subject=${msn}`]) {
      const page = await session.get(path);
      assert.equal(page.status, 200, path);
      const answer = await fetch(`${k.baseUrl}${path}`, { headers: { cookie: `kasse_console=${session.cookie('kasse_console')}` } });
      assertStrictPage(path, { headers: answer.headers, text: await answer.text() });
    }
  });

  test('bad input is a 400 page naming the field; an unknown sales unit is 404', async () => {
    const session = await loggedIn();
    const bad = await session.submit(`/console/sales-units/${msn}/settlement`, { feeBasisPoints: 'lots', feeFixedOre: '0', settlementType: 'net', payoutFrequency: 'daily' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Check feeBasisPoints/);
    const tooHigh = await session.submit(`/console/sales-units/${msn}/settlement`, { feeBasisPoints: '10001', feeFixedOre: '0', settlementType: 'net', payoutFrequency: 'daily' });
    assert.equal(tooHigh.status, 400);
    assert.equal((await session.get('/console/sales-units/99999')).status, 404);
    assert.equal((await session.get('/console/merchants/no-such-merchant')).status, 404);
    const unnamed = await session.submit('/console/partners', { name: '   ' }, '/console/partners');
    assert.equal(unnamed.status, 400);
    assert.match(unnamed.text, /Check name/);
    assert.equal((await session.get('/console/partners/no-such-partner')).status, 404);
    const partner = await session.submit('/console/partners', { name: 'Checked platform' }, '/console/partners');
    const partnerPage = partner.location!.replace(/\?.*$/, '');
    const unknownUnit = await session.submit(`${partnerPage}/sales-units`, { msn: '99999' }, partnerPage);
    assert.equal(unknownUnit.status, 404);
    assert.equal((await session.submit(`${partnerPage}/sales-units/${msn}/detach`, {}, partnerPage)).status, 404, 'not attached');
    assert.equal((await session.submit(`${partnerPage}/keys/no-such-key/revoke`, {}, partnerPage)).status, 404);
  });
});
