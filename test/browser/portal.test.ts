// Goal: a merchant's staff can use the portal in a real browser: log in (and be locked out after repeated wrong
// passwords), read the dashboard and its chart, search transactions and export the filter, open a payment with its
// callbacks and replay one, create and revoke an API key (the revoked key then gets 401 from the API), download a
// settlement file; no page meets a CSP refusal. Method: a real Kasse (fake clock) with a CallbackReceiver as the shop's
// server; playwright-core drives Chromium; screenshots go under test-results/.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { LOGIN_LOCKOUT } from '../../src/core/web-accounts/accounts.ts';
import { moveTo } from '../scenario/settlement-support.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { CallbackReceiver } from '../support/callback-receiver.ts';
import type { TestKasse } from '../support/harness.ts';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';

const skip = browserSkip();

describe('the merchant portal in the browser', { skip }, () => {
  const { start, close, desktop, screenshot, problems } = browserRig();
  let k: TestKasse;
  let receiver: CallbackReceiver;
  let shop: MerchantClient;

  before(async () => {
    ({ k, receiver } = await start());
    shop = await MerchantClient.create(k.baseUrl, { name: 'Fjellsport AS' });
    const callbackPrefix = `${receiver.url}/callbacks`;
    // A week of business: sales captured, one refunded, one the bank refused, one still waiting.
    for (const [n, amountOre] of [[1, 49_900], [2, 129_900], [3, 19_900], [4, 151], [5, 8_900]] as const) {
      const orderId = `fjell-${n}`;
      const initiated = await shop.initiate(orderId, amountOre, { merchantInfo: { callbackPrefix }, customerInfo: { mobileNumber: '91234567' } });
      assert.equal(initiated.status, 200, initiated.text);
      if (n === 5) continue;
      await shop.approve(orderId, initiated.body.url);
      if (n !== 4) assert.equal((await shop.capture(orderId, amountOre)).status, 200);
      if (n === 2) assert.equal((await shop.refund(orderId, 30_000)).status, 200);
    }
    await receiver.waitFor(4);
  });
  after(() => close());

  async function logIn(page: Page, email = shop.credentials.portalEmail, password = shop.credentials.portalPassword): Promise<void> {
    await page.goto(`${k.baseUrl}/portal`);
    await page.getByTestId('login').waitFor();
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('portal-nav').waitFor();
  }

  test('log in: a wrong password says so; after the limit the account is locked, even with the right one', async () => {
    const victim = await MerchantClient.create(k.baseUrl, { name: 'Locked Shop' });
    const page = await desktop();
    await page.goto(`${k.baseUrl}/portal/transactions`);
    await page.getByTestId('login').waitFor();
    await screenshot(page, 'portal-login');
    for (let n = 0; n < LOGIN_LOCKOUT.failuresBeforeLock; n++) {
      await page.locator('#email').fill(victim.credentials.portalEmail);
      await page.locator('#password').fill(`wrong password ${n}`);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').filter({ hasText: 'do not match' }).waitFor();
    }
    await page.locator('#password').fill(victim.credentials.portalPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'locked until' }).waitFor();
    await screenshot(page, 'portal-locked');
    // The right password of another merchant's user still works, and lands where the user wanted to go.
    await page.locator('#email').fill(shop.credentials.portalEmail);
    await page.locator('#password').fill(shop.credentials.portalPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('transactions').waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal/transactions');
    await page.getByTestId('logout').click();
    await page.getByTestId('login').waitFor();
  });

  test('the dashboard shows the figures and draws the chart', async () => {
    const page = await desktop();
    await logIn(page);
    await page.locator('#volume-chart[data-rendered="true"]').waitFor();
    assert.equal(await page.getByTestId('figure-captured').locator('small').textContent(), '3 captures and sales');
    assert.match((await page.getByTestId('figure-captured').textContent()) ?? '', /1\s997,00 kr/);
    assert.match((await page.getByTestId('figure-refunded').textContent()) ?? '', /300,00 kr/);
    assert.match((await page.getByTestId('figure-failed').textContent()) ?? '', /^1/);
    const box = await page.getByTestId('volume-chart').boundingBox();
    assert.ok(box && box.width > 400 && box.height > 200, 'the chart has a size');
    await screenshot(page, 'portal-dashboard', { fullPage: true });
  });

  test('search by status and amount, then by orderId; export the filter as CSV and XLSX', async () => {
    const page = await desktop();
    await logIn(page);
    await page.getByTestId('nav-transactions').click();
    await page.getByTestId('transactions').waitFor();
    assert.equal(await page.getByTestId('transaction-row').count(), 5);
    await page.getByTestId('filter-status').selectOption('captured');
    await page.getByTestId('filter-min').fill('200');
    await page.getByTestId('filter-submit').click();
    await page.waitForURL(/status=captured/);
    assert.deepEqual(await page.locator('[data-testid="transaction-row"] td:nth-child(2)').allTextContents(), ['fjell-2', 'fjell-1']);
    await screenshot(page, 'portal-transactions');
    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csv = await readFile((await (await csvDownload).path()) ?? '', 'utf8');
    assert.deepEqual(csv.trim().split('\n').map((line) => line.split(',')[2]), ['Order id', 'fjell-2', 'fjell-1']);
    assert.match(csv, /fjell-2,captured,1299\.00,1299\.00,300\.00/);
    const xlsxDownload = page.waitForEvent('download');
    await page.getByTestId('export-xlsx').click();
    const xlsx = await readFile((await (await xlsxDownload).path()) ?? '');
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');
    await page.getByTestId('filter-status').selectOption('');
    await page.getByTestId('filter-min').fill('');
    await page.getByTestId('filter-order').fill('fjell-4');
    await page.getByTestId('filter-submit').click();
    await page.waitForURL(/orderId=fjell-4/);
    assert.deepEqual(await page.locator('[data-testid="transaction-row"] .badge').allTextContents(), ['failed']);
  });

  test('one payment: its log, the masked phone number, its callbacks with the answers; a replay reaches the shop again', async () => {
    const page = await desktop();
    await logIn(page);
    await page.goto(`${k.baseUrl}/portal/transactions?orderId=fjell-1`);
    await page.getByRole('link', { name: 'fjell-1' }).click();
    await page.getByTestId('payment-log').waitFor();
    assert.deepEqual(
      (await page.getByTestId('log-row').locator('td:nth-child(3)').allTextContents()).map((t) => t.split(' ')[0]),
      ['INITIATE', 'RESERVE', 'CAPTURE'],
    );
    const user = (await page.getByTestId('payment-user').textContent()) ?? '';
    assert.match(user, /••• •• 567/);
    assert.ok(!user.includes('91234567') && !user.includes('912 34 567'), 'the phone number is masked');
    const callback = page.getByTestId('callback').first();
    await callback.getByTestId('callback-attempt').filter({ hasText: 'HTTP 200' }).first().waitFor();
    assert.match((await callback.getByTestId('callback-body').textContent()) ?? '', /"orderId": "fjell-1"/);
    await screenshot(page, 'portal-payment', { fullPage: true });
    const before = receiver.requests.length;
    await callback.getByTestId('replay').click();
    await page.getByTestId('replayed').waitFor();
    const calls = await receiver.waitFor(before + 1);
    assert.match(JSON.stringify(calls[before]?.body), /fjell-1/);
  });

  test('create a key and use it; revoke it and the API answers 401', async () => {
    const page = await desktop();
    page.on('dialog', (dialog) => void dialog.accept());
    await logIn(page);
    await page.getByTestId('nav-sales-units').click();
    assert.equal(await page.getByTestId('capture-type').textContent(), 'Reserve, then capture');
    await page.getByTestId('create-key').click();
    await page.getByTestId('issued-secret').waitFor();
    const credentials = {
      ...shop.credentials,
      clientId: (await page.getByTestId('issued-client-id').textContent()) ?? '',
      clientSecret: (await page.getByTestId('issued-client-secret').textContent()) ?? '',
      subscriptionKey: (await page.getByTestId('issued-subscription-key').textContent()) ?? '',
    };
    await screenshot(page, 'portal-key-created');
    const created = new MerchantClient(k.baseUrl, credentials);
    assert.equal((await created.details('fjell-1')).status, 200, 'the new key works');
    await page.goto(`${k.baseUrl}/portal/sales-units`);
    assert.equal(await page.getByTestId('issued-secret').count(), 0, 'the secret is shown once');
    await page.locator(`[data-testid="api-key"][data-client-id="${credentials.clientId}"]`).getByTestId('revoke-key').click();
    await page.locator(`[data-testid="api-key"][data-client-id="${credentials.clientId}"] .badge.bad`).waitFor();
    const refused = await httpRequest(`${k.baseUrl}/ecomm/v2/payments/fjell-1/details`, { headers: await created.authHeaders() });
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await shop.details('fjell-1')).status, 200, 'the other key still works');
  });

  test('download a settlement file', async () => {
    await moveTo(k, '2026-01-06T12:00');
    const page = await desktop();
    await logIn(page);
    await page.getByTestId('nav-settlements').click();
    await page.getByTestId('settlement').first().waitFor();
    await screenshot(page, 'portal-settlements');
    const download = page.waitForEvent('download');
    await page.getByTestId('settlement').first().getByTestId('settlement-file-pdf').click();
    const pdf = await readFile((await (await download).path()) ?? '');
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(problems(), []);
  });
});
