// Goal: a merchant's developer and accountant can use the portal's integration and reporting pages in a real
// browser: the API dashboard shows the calls a merchant script just made (a failed one marked, filtered by status
// class, one click from its payment); the integration checklist starts "not yet exercised" and, while it is open,
// turns its items met as a scripted integration runs; a daily transaction report subscribed in the portal is listed
// once the sandbox clock passes 06:00 the morning after, and downloads through the session naming the payment.
// No page meets a CSP refusal. Method: a real Kasse (fake clock) with a CallbackReceiver as the shop's server;
// playwright-core drives Chromium; screenshots go under test-results/.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { moveTo } from '../scenario/settlement-support.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { CallbackReceiver } from '../support/callback-receiver.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient, WellBehavedClient } from '../support/merchant-client.ts';

const skip = browserSkip();

describe('the portal for developers and accountants in the browser', { skip }, () => {
  const { start, close, desktop, screenshot, problems } = browserRig();
  let k: TestKasse;
  let receiver: CallbackReceiver;

  before(async () => {
    ({ k, receiver } = await start());
  });
  after(() => close());

  async function logIn(page: Page, shop: MerchantClient, path: string): Promise<void> {
    await page.goto(`${k.baseUrl}${path}`);
    await page.getByTestId('login').waitFor();
    await page.locator('#email').fill(shop.credentials.portalEmail);
    await page.locator('#password').fill(shop.credentials.portalPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('portal-nav').waitFor();
  }

  const callbacks = () => ({ merchantInfo: { callbackPrefix: `${receiver.url}/callbacks` } });

  test('the API dashboard shows the calls just made; 4xx shows the failed ones; a failed call opens its payment', async () => {
    const shop = new WellBehavedClient(k.baseUrl, (await MerchantClient.create(k.baseUrl, { name: 'Sykkelverksted AS' })).credentials);
    const initiated = await shop.initiate('sykkel-order-1001', 50_000, callbacks());
    assert.equal(initiated.status, 200, initiated.text);
    await shop.approve('sykkel-order-1001', initiated.body.url);
    assert.equal((await shop.capture('sykkel-order-1001', 20_000, 'sykkel-cap-1')).status, 200);
    // Two mistakes: a refund above what was captured (the order exists), a capture of an order that does not.
    const tooMuch = await shop.refund('sykkel-order-1001', 90_000, 'sykkel-ref-1');
    assert.ok(tooMuch.status >= 400 && tooMuch.status < 500, tooMuch.text);
    const unknown = await shop.capture('sykkel-no-such-order', 1_000);
    assert.ok(unknown.status >= 400 && unknown.status < 500, unknown.text);

    const page = await desktop();
    await logIn(page, shop, '/portal');
    await page.getByTestId('nav-api-calls').click();
    await page.getByTestId('api-calls').waitFor();
    const paths = await page.getByTestId('api-call').locator('.call-path').allTextContents();
    assert.deepEqual(paths.slice(0, 3), ['/ecomm/v2/payments/sykkel-no-such-order/capture', '/ecomm/v2/payments/sykkel-order-1001/refund', '/ecomm/v2/payments/sykkel-order-1001/capture'], 'newest first');
    const capture = page.locator('[data-testid="api-call"]', { hasText: 'sykkel-cap-1' });
    assert.equal(await capture.getByTestId('call-status').textContent(), '200');
    assert.match((await capture.textContent()) ?? '', /acme-webshop 4\.2\.0/);
    assert.equal(await page.locator('[data-testid="api-call"].failed').count(), 2, 'the failed calls are marked');
    await screenshot(page, 'portal-api-calls', { fullPage: true });

    await page.getByTestId('filter-status').fill('4xx');
    await page.getByTestId('filter-submit').click();
    await page.waitForURL(/status=4xx/);
    const statuses = await page.getByTestId('call-status').allTextContents();
    assert.equal(statuses.length, 2);
    assert.ok(statuses.every((s) => s.startsWith('4')), statuses.join());
    const failedRefund = page.locator('[data-testid="api-call"]', { hasText: 'sykkel-ref-1' });
    assert.match((await failedRefund.textContent()) ?? '', /sykkel-order-1001/);
    assert.equal(await page.locator('[data-testid="api-call"]', { hasText: 'sykkel-no-such-order' }).getByTestId('call-payment').count(), 0, 'no payment to open for an unknown order');
    await screenshot(page, 'portal-api-calls-4xx');
    await failedRefund.getByTestId('call-payment').click();
    await page.getByTestId('payment-log').waitFor();
    assert.equal(await page.getByTestId('payment-order').textContent(), 'sykkel-order-1001');
    assert.deepEqual(problems(), []);
  });

  test('the checklist, open while a scripted integration runs, turns its items met', async () => {
    const shop = new WellBehavedClient(k.baseUrl, (await MerchantClient.create(k.baseUrl, { name: 'Nye Nettbutikken AS' })).credentials);
    const page = await desktop();
    await logIn(page, shop, '/portal/checklist');
    await page.getByTestId('checklist').waitFor();
    const item = (id: string) => page.locator(`[data-testid="checklist-item"][data-item="${id}"]`);
    assert.deepEqual(new Set(await page.getByTestId('checklist-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-status')))), new Set(['not_exercised']));
    assert.match((await page.getByTestId('checklist-summary').textContent()) ?? '', /0 of 10 met/);
    await screenshot(page, 'portal-checklist-before', { fullPage: true });

    // The integration: reserve, capture part with X-Request-Id, refund part with X-Request-Id; cancel another; details.
    const first = await shop.initiate('nettbutikk-order-2001', 10_000, callbacks());
    await shop.approve('nettbutikk-order-2001', first.body.url);
    assert.equal((await shop.capture('nettbutikk-order-2001', 4_000, 'nettbutikk-cap-1')).status, 200);
    assert.equal((await shop.refund('nettbutikk-order-2001', 1_000, 'nettbutikk-ref-1')).status, 200);
    const second = await shop.initiate('nettbutikk-order-2002', 5_000, callbacks());
    await shop.approve('nettbutikk-order-2002', second.body.url);
    assert.equal((await shop.cancel('nettbutikk-order-2002')).status, 200);
    assert.equal((await shop.details('nettbutikk-order-2001')).status, 200);

    // No reload: the open page refreshes its list on its own.
    for (const id of ['all-endpoints', 'partial-capture-with-request-id', 'partial-refund-with-request-id', 'vipps-system-headers', 'useful-order-ids', 'order-ending-in-refund', 'order-ending-in-void']) {
      await page.locator(`[data-testid="checklist-item"][data-item="${id}"][data-status="met"]`).waitFor();
    }
    assert.equal(await item('partial-capture-with-request-id').getByTestId('checklist-status').textContent(), 'met');
    assert.match((await item('partial-capture-with-request-id').getByTestId('checklist-evidence').textContent()) ?? '', /nettbutikk-cap-1/);
    assert.match((await page.getByTestId('checklist-summary').textContent()) ?? '', /[7-9] of 10 met/);
    assert.equal(await item('express-shipping-details-in-time').getAttribute('data-status'), 'not_exercised');
    await screenshot(page, 'portal-checklist', { fullPage: true });

    // The evidence links: an endpoint's calls to the API dashboard, an order that ended in VOID to its payment.
    await item('order-ending-in-void').getByRole('link', { name: 'the payment' }).click();
    await page.getByTestId('payment-log').waitFor();
    assert.equal(await page.getByTestId('payment-order').textContent(), 'nettbutikk-order-2002');
    await page.goBack();
    await item('all-endpoints').getByRole('link', { name: 'the calls' }).first().click();
    await page.getByTestId('api-calls').waitFor();
    assert.match(page.url(), /endpoint=/);
    assert.ok((await page.getByTestId('api-call').count()) >= 1);
    assert.deepEqual(problems(), []);
  });

  test('subscribe to a daily report; the morning after it is listed and its CSV names the payment', async () => {
    const shop = await MerchantClient.create(k.baseUrl, { name: 'Bokhandel AS' });
    const sold = await shop.initiate('bok-order-3001', 34_900, callbacks());
    await shop.approve('bok-order-3001', sold.body.url);
    assert.equal((await shop.capture('bok-order-3001', 34_900)).status, 200);

    const page = await desktop();
    page.on('dialog', (dialog) => void dialog.accept());
    await logIn(page, shop, '/portal');
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('no-subscriptions').waitFor();
    await page.getByTestId('subscribe-frequency').selectOption('daily');
    await page.getByTestId('subscribe-email').fill('regnskap@bokhandel.example');
    await page.getByTestId('subscribe').click();
    await page.getByTestId('reports-flash').filter({ hasText: 'Subscribed to daily reports' }).waitFor();
    assert.match((await page.locator('[data-testid="subscription"][data-frequency="daily"]').textContent()) ?? '', /regnskap@bokhandel\.example/);
    await page.getByTestId('no-reports').waitFor();

    // Past 06:00 Oslo the morning after: the report of today is made (the half-hour session has ended by then).
    await moveTo(k, '2026-01-06T07:00');
    await page.goto(`${k.baseUrl}/portal/reports`);
    await page.getByTestId('login').waitFor();
    await page.locator('#email').fill(shop.credentials.portalEmail);
    await page.locator('#password').fill(shop.credentials.portalPassword);
    await page.getByTestId('login-submit').click();
    const report = page.getByTestId('report').first();
    await report.waitFor();
    assert.match((await report.textContent()) ?? '', /2026-01-05/);
    await screenshot(page, 'portal-reports', { fullPage: true });
    const download = page.waitForEvent('download');
    await report.getByTestId('report-csv').click();
    const csv = await readFile((await (await download).path()) ?? '', 'utf8');
    assert.match(csv, /bok-order-3001/);
    assert.match(csv, /CAPTURE/);

    await page.getByTestId('unsubscribe').click();
    await page.getByTestId('reports-flash').filter({ hasText: 'Ended the subscription to daily reports' }).waitFor();
    assert.equal(await page.getByTestId('subscription').count(), 0);
    assert.equal(await page.getByTestId('report').count(), 1, 'the reports made stay');
    assert.deepEqual(problems(), []);
  });
});
