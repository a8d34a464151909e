// Goal: the demo merchant `npm start` prints behaves like a real merchant and survives a sandbox reset.
//  - Its sales unit has the real API's rate limits (initiate: 2 per minute per order), and the banner says so.
//  - After POST /_kasse/sandbox/reset the printed credentials still work (the demo merchant is re-created with the same
//    MSN and keys), and the sandbox clock is back at real time (a reset once kept the clock days in the future and the
//    demo merchant gone until a restart).
//  - The banner prints the demo merchant's portal login beside its keys; it logs in, before and after a reset.
// Method: Kasse as a real child process (src/main.ts, as `npm start`) on a fresh SQLite database; the credentials are
// read from the `export …` line of its banner, then used over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { ChildKasse } from '../reliability/support/child-kasse.ts';
import { PortalSession } from '../support/portal-client.ts';
import { printedCredentials, printedPortalLogin, type PrintedCredentials } from '../support/printed-banner.ts';

async function accessToken(c: PrintedCredentials): Promise<Response> {
  return fetch(`${c.B}/accesstoken/get`, {
    method: 'POST',
    headers: { client_id: c.CID, client_secret: c.SECRET, 'Ocp-Apim-Subscription-Key': c.KEY },
  });
}

async function initiate(c: PrintedCredentials, token: string, orderId: string): Promise<Response> {
  return fetch(`${c.B}/ecomm/v2/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': c.KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      customerInfo: {},
      merchantInfo: { merchantSerialNumber: c.MSN, callbackPrefix: 'http://127.0.0.1:9/vipps', fallBack: 'https://example.com/done' },
      transaction: { orderId, amount: 1000, transactionText: 'Demo' },
    }),
  });
}

const DAY_MS = 86_400_000;

describe('the printed demo merchant', () => {
  let kasse: ChildKasse;
  let drop: () => Promise<void>;
  let credentials: PrintedCredentials;
  before(async () => {
    const database = await freshDatabase('sqlite');
    drop = database.drop;
    kasse = await ChildKasse.start({ databaseUrl: database.url });
    credentials = printedCredentials(kasse.output());
  });
  after(async () => {
    await kasse?.stop();
    await drop?.();
  });

  test('has the real rate limits, and the banner says so', async () => {
    assert.match(kasse.output(), /Kasse Demo Shop" \(the real API's rate limits apply/);
    const token = ((await (await accessToken(credentials)).json()) as { access_token: string }).access_token;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await initiate(credentials, token, 'limited-order')).status);
    assert.deepEqual(statuses, [200, 400, 429], 'initiate: 2 per minute per order, then 429');
  });

  test('its printed portal login opens the portal', async () => {
    const login = printedPortalLogin(kasse.output());
    const session = await PortalSession.logIn(credentials.B, login.email, login.password);
    const dashboard = await session.get('/portal');
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.text, /Kasse Demo Shop/);
  });

  test('is printed beside the sandbox operator’s console login', () => {
    assert.match(kasse.output(), /Operator console: http:\/\/\S+\/console {3}e-mail operator@kasse\.test {3}password \S{20,}/);
  });

  test('keeps its printed credentials across a sandbox reset, and the reset brings the clock back to real time', async () => {
    const moved = await fetch(`${credentials.B}/_kasse/sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 10 * DAY_MS }),
    });
    assert.equal(moved.status, 200);
    const before = ((await (await accessToken(credentials)).json()) as { access_token: string }).access_token;
    assert.equal((await initiate(credentials, before, 'future-order')).status, 200);
    assert.equal((await initiate(credentials, before, 'future-order')).status, 400, 'a duplicate, counted in a window 10 days ahead');
    const reset = await fetch(`${credentials.B}/_kasse/sandbox/reset`, { method: 'POST' });
    assert.equal(reset.status, 200, await reset.clone().text());
    const clock = (await (await fetch(`${credentials.B}/_kasse/sandbox/clock`)).json()) as { now: string };
    assert.ok(Math.abs(Date.parse(clock.now) - Date.now()) < 60_000, `the clock is back at real time: ${clock.now}`);

    const token = await accessToken(credentials);
    assert.equal(token.status, 200, await token.clone().text());
    const { access_token } = (await token.json()) as { access_token: string };
    // The same order id as before the reset: the data is gone, and so is its rate-limit window in the future.
    const again = await initiate(credentials, access_token, 'future-order');
    assert.equal(again.status, 200, await again.clone().text());
    const login = printedPortalLogin(kasse.output());
    assert.equal((await (await PortalSession.logIn(credentials.B, login.email, login.password)).get('/portal')).status, 200, 'the portal login too');
  });
});
