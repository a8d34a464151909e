// Goal: every HTML page Kasse serves carries the strict Content-Security-Policy and no inline script with content;
// the start page links what exists; the favicon and the browser bundles are served; shoppers get human messages.
// Method: a real Kasse over HTTP; the pages are fetched as a browser would and their markup inspected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInRequest } from '../support/app-session.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';
import { assertStrictPage } from './http-helpers.ts';
import { PHONE_RULE_TEXT } from '../../src/shared/phone-number.ts';
import { shopperMessage } from '../../src/shared/shopper-messages.ts';

describe('the pages of the front end', () => {
  let k: TestKasse;
  let landingPath: string;
  let msn: string;
  before(async () => {
    k = await startTestKasse();
    const shop = await MerchantClient.create(k.baseUrl, { name: 'Sokkebutikken </script><b>' });
    const initiated = await shop.initiate('web-1', 12_345);
    assert.equal(initiated.status, 200, initiated.text);
    landingPath = new URL(initiated.body.url).pathname + new URL(initiated.body.url).search;
    msn = shop.msn;
  });
  after(() => k.close());

  const pages = () => ['/', '/_kasse/app', '/console/login', landingPath, '/_kasse/sandbox', '/_kasse/sandbox/callbacks', `/_kasse/sandbox/bank-accounts/${msn}`, `/_kasse/sandbox/reports/${msn}`, '/_kasse/docs/', '/dwo-api-application/v1/deeplink/vippsgateway?token=unknown'];

  test('every HTML page carries the CSP header and has no inline <script> with content', async () => {
    for (const path of pages()) {
      const page = await httpRequest(`${k.baseUrl}${path}`);
      assert.ok([200, 404].includes(page.status), `${path}: ${page.status}`);
      assertStrictPage(path, page);
    }
  });

  test('the merchant name is escaped by the template, never markup', async () => {
    const page = await httpRequest(`${k.baseUrl}${landingPath}`);
    assert.ok(page.text.includes('Sokkebutikken &lt;/script&gt;&lt;b&gt;'));
    assert.ok(!page.text.includes('</script><b>'));
  });

  test('GET / is a start page linking the app, the sandbox, the callbacks, the portal, the console and the docs; each link answers 200', async () => {
    const start = await httpRequest(`${k.baseUrl}/`);
    assert.equal(start.status, 200);
    const links = [...start.text.matchAll(/class="start-card" href="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, ['/_kasse/app', '/_kasse/sandbox', '/_kasse/sandbox/callbacks', '/portal', '/console', '/_kasse/docs']);
    // As a browser follows them (the portal and the console answer a page request without a session with their log-in).
    for (const link of links) assert.equal((await httpRequest(`${k.baseUrl}${link}`, { headers: { accept: 'text/html' } })).status, 200, link);
  });

  test('the favicon, the styles and the bundles are served', async () => {
    for (const [path, type] of [
      ['/favicon.ico', /^image\/svg\+xml/],
      ['/_kasse/web/favicon.svg', /^image\/svg\+xml/],
      ['/_kasse/web/styles/base.css', /^text\/css/],
      ['/_kasse/web/app.js', /^text\/javascript/],
      ['/_kasse/web/landing.js', /^text\/javascript/],
      ['/_kasse/web/callbacks.js', /^text\/javascript/],
      ['/_kasse/web/portal.js', /^text\/javascript/],
      ['/_kasse/web/console.js', /^text\/javascript/],
      ['/_kasse/web/styles/console.css', /^text\/css/],
    ] as const) {
      const answer = await httpRequest(`${k.baseUrl}${path}`);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', type, path);
    }
    const bundle = await httpRequest(`${k.baseUrl}/_kasse/web/landing.js`);
    assert.ok(!/node:|better-sqlite3|kysely/.test(bundle.text), 'the browser bundle pulls in no server code');
    assert.ok(bundle.text.includes(PHONE_RULE_TEXT), 'the landing page checks numbers with the shared rule');
    const again = await httpRequest(`${k.baseUrl}/_kasse/web/landing.js`, { headers: { 'if-none-match': bundle.headers.get('etag') ?? '' } });
    assert.equal(again.status, 304);
  });

  test('the sandbox page and the landing page state the one phone rule', async () => {
    assert.ok((await httpRequest(`${k.baseUrl}/_kasse/sandbox`)).text.includes(PHONE_RULE_TEXT));
    assert.ok((await httpRequest(`${k.baseUrl}${landingPath}`)).text.includes(PHONE_RULE_TEXT));
  });

  test('a number that is not a Vipps user: the shopper reads a human sentence, not the API text', async () => {
    const token = new URL(`${k.baseUrl}${landingPath}`).searchParams.get('token') ?? '';
    const pushed = await httpRequest(`${k.baseUrl}/_kasse/landing/${token}/push`, { method: 'POST', body: { mobileNumber: '12345678' } });
    assert.equal(pushed.status, 400);
    const message = shopperMessage(pushed.status, pushed.body);
    assert.equal(message, `This number is not a Vipps user. Check it: Vipps needs ${PHONE_RULE_TEXT}.`);
    assert.notEqual(message, pushed.body[0].errorMessage);
    const badFormat = await httpRequest(`${k.baseUrl}/_kasse/landing/${token}/push`, { method: 'POST', body: { mobileNumber: '123' } });
    assert.equal(shopperMessage(badFormat.status, badFormat.body), `Enter ${PHONE_RULE_TEXT}.`);
    const signIn = await signInRequest(k.baseUrl, '12345678', null);
    assert.equal(shopperMessage(signIn.status, signIn.body), message, 'the app says the same as the landing page');
  });
});
