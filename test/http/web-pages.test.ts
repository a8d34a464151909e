// Goal: every HTML page Kasse serves carries the strict Content-Security-Policy and no inline script with content;
// the start page links what exists; the favicon and the browser bundles are served; shoppers get human messages.
// Method: a real Kasse over HTTP; the pages are fetched as a browser would and their markup inspected.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInRequest } from '../support/app-session.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';
import { PHONE_RULE_TEXT } from '../../src/shared/phone-number.ts';
import { shopperMessage } from '../../src/shared/shopper-messages.ts';

describe('the pages of the front end', () => {
  let k: TestKasse;
  let landingPath: string;
  before(async () => {
    k = await startTestKasse();
    const shop = await MerchantClient.create(k.baseUrl, { name: 'Sokkebutikken </script><b>' });
    const initiated = await shop.initiate('web-1', 12_345);
    assert.equal(initiated.status, 200, initiated.text);
    landingPath = new URL(initiated.body.url).pathname + new URL(initiated.body.url).search;
  });
  after(() => k.close());

  const pages = () => ['/', '/_kasse/app', landingPath, '/_kasse/sandbox', '/_kasse/sandbox/callbacks', '/_kasse/docs/', '/dwo-api-application/v1/deeplink/vippsgateway?token=unknown'];

  test('every HTML page carries the CSP header and has no inline <script> with content', async () => {
    for (const path of pages()) {
      const page = await httpRequest(`${k.baseUrl}${path}`);
      assert.ok([200, 404].includes(page.status), `${path}: ${page.status}`);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, path);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, `${path} has a strict script-src`);
      assert.ok(!/script-src[^;]*unsafe/.test(csp), `${path}: scripts never inline or eval`);
      // Swagger UI (the API docs) applies inline styles; every page of Kasse's own has strict styles too.
      if (!path.startsWith('/_kasse/docs')) assert.match(csp, /style-src 'self'(;|$)/, `${path} has a strict style-src`);
      for (const match of page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        assert.match(match[1] ?? '', /\bsrc=/, `${path}: a script without src`);
        assert.equal((match[2] ?? '').trim(), '', `${path}: an inline script with content`);
      }
      assert.ok(!/<style\b/i.test(page.text), `${path}: an inline <style> block`);
      assert.ok(!/\sstyle="/i.test(page.text), `${path}: an inline style attribute`);
      assert.ok(!/\son[a-z]+="/i.test(page.text), `${path}: an inline event handler`);
    }
  });

  test('the merchant name is escaped by the template, never markup', async () => {
    const page = await httpRequest(`${k.baseUrl}${landingPath}`);
    assert.ok(page.text.includes('Sokkebutikken &lt;/script&gt;&lt;b&gt;'));
    assert.ok(!page.text.includes('</script><b>'));
  });

  test('GET / is a start page linking the app, the sandbox and the docs; each link answers 200', async () => {
    const start = await httpRequest(`${k.baseUrl}/`);
    assert.equal(start.status, 200);
    const links = [...start.text.matchAll(/class="start-card" href="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, ['/_kasse/app', '/_kasse/sandbox', '/_kasse/sandbox/callbacks', '/_kasse/docs']);
    for (const link of links) assert.equal((await httpRequest(`${k.baseUrl}${link}`)).status, 200, link);
  });

  test('the favicon, the styles and the bundles are served', async () => {
    for (const [path, type] of [
      ['/favicon.ico', /^image\/svg\+xml/],
      ['/_kasse/web/favicon.svg', /^image\/svg\+xml/],
      ['/_kasse/web/styles/base.css', /^text\/css/],
      ['/_kasse/web/app.js', /^text\/javascript/],
      ['/_kasse/web/landing.js', /^text\/javascript/],
      ['/_kasse/web/callbacks.js', /^text\/javascript/],
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
