// Goal: a shopper can pay, reject, pass BankID and meet a refusal through the landing page and the simulated Vipps app, and the merchant sees the outcome. Method: a real Kasse (fake clock) with a CallbackReceiver as the merchant's server; playwright-core drives Debian's Chromium as a desktop (landing page) and a phone (the app), and every test saves a screenshot under test-results/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SEEDED_USER_PIN } from '../support/app-session.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { CallbackReceiver, ReceivedRequest } from '../support/callback-receiver.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

const skip = browserSkip();

describe('the user side in the browser', { skip }, () => {
  const { start, close, desktop, phone, screenshot, landingPush, signIn, appears } = browserRig();
  let k: TestKasse;
  let receiver: CallbackReceiver;
  let merchant: MerchantClient;

  before(async () => {
    ({ k, receiver } = await start());
    merchant = await MerchantClient.create(k.baseUrl, { name: 'Sokkebutikken AS' });
  });

  after(() => close());

  /** The merchant initiates; fallBack and callbacks go to the receiver. */
  async function initiate(orderId: string, amountOre: number, extra: { mobileNumber?: string; transactionText?: string; fallBack?: string } = {}) {
    const fallBack = extra.fallBack ?? `${receiver.url}/fallback/${orderId}`;
    const initiated = await merchant.initiate(orderId, amountOre, {
      merchantInfo: { callbackPrefix: `${receiver.url}/callbacks`, fallBack },
      ...(extra.mobileNumber ? { customerInfo: { mobileNumber: extra.mobileNumber } } : {}),
      ...(extra.transactionText ? { transaction: { transactionText: extra.transactionText } } : {}),
    });
    assert.equal(initiated.status, 200, initiated.text);
    return { url: initiated.body.url, token: MerchantClient.tokenOf(initiated.body.url), fallBack };
  }

  /** The callback for `orderId` (waits for it; bounded by the receiver's timeout). */
  async function callback(orderId: string): Promise<ReceivedRequest> {
    const path = `/callbacks/v2/payments/${orderId}`;
    for (;;) {
      const hit = receiver.requests.find((r) => r.url === path);
      if (hit) return hit;
      await receiver.waitFor(receiver.requests.length + 1);
    }
  }

  async function lastLogEntry(orderId: string, operation: string) {
    const details = await merchant.details(orderId);
    assert.equal(details.status, 200, details.text);
    const entry = details.body.transactionLogHistory.find((e: { operation: string }) => e.operation === operation);
    assert.ok(entry, `no ${operation} in ${details.text}`);
    return entry as { operation: string; operationSuccess: boolean; amount: number };
  }

  async function openRequest(app: Page, token: string): Promise<void> {
    await app.locator(`[data-testid="pending-request"][data-token="${token}"]`).click();
    await app.getByTestId('confirm').waitFor();
  }

  test('desktop landing page → push to 48000001 → the phone sees the request, confirms → RESERVED callback, details RESERVE, redirect to fallBack', async () => {
    const { url, token, fallBack } = await initiate('browser-reserve', 49_900);
    // The phone is signed in first: the request must appear on its home screen by itself.
    const app = await signIn('48000001');
    await app.getByTestId('no-pending').waitFor();
    const landing = await landingPush(url, '48000001');
    assert.equal(await landing.locator('#pushed-to').textContent(), '480 00 001');
    assert.match((await landing.locator('#open-app').getAttribute('href')) ?? '', new RegExp(`/_kasse/app/pay/${token}\\?phone=48000001$`));
    await screenshot(landing, 'reserve-1-landing-waiting');

    const request = app.locator(`[data-testid="pending-request"][data-token="${token}"]`);
    await request.waitFor();
    assert.match((await request.textContent()) ?? '', /Sokkebutikken AS.*499,00\s*kr/);
    await screenshot(app, 'reserve-2-app-home');
    await request.click();
    await app.getByTestId('confirm').waitFor();
    assert.equal(await app.getByTestId('merchant').textContent(), 'Sokkebutikken AS');
    assert.match((await app.getByTestId('amount').textContent()) ?? '', /^499,00\s*kr$/);
    assert.equal(await app.getByTestId('transaction-text').textContent(), 'One pair of socks');
    // The default card is preselected.
    assert.equal(await app.locator('[data-testid="card-option"][data-last4="0001"] input').isChecked(), true);
    await screenshot(app, 'reserve-3-app-request');

    const receiptShown = appears(app, 'receipt');
    await app.getByTestId('confirm').click();
    await receiptShown;
    assert.equal(await app.getByTestId('receipt-status').textContent(), 'Reserved');
    assert.match((await app.getByTestId('receipt-card').textContent()) ?? '', /•••• 0001/);
    await screenshot(app, 'reserve-4-app-receipt');

    await landing.waitForURL(fallBack);
    await app.waitForURL(fallBack);
    const reserve = await lastLogEntry('browser-reserve', 'RESERVE');
    assert.equal(reserve.operationSuccess, true);
    assert.equal(reserve.amount, 49_900);
    const cb = await callback('browser-reserve');
    assert.equal((cb.body as { transactionInfo: { status: string } }).transactionInfo.status, 'RESERVED');
  });

  test('rejecting in the app → CANCEL in details, CANCELLED callback, the landing page returns to fallBack', async () => {
    const { url, token, fallBack } = await initiate('browser-reject', 25_000);
    const landing = await landingPush(url, '48000099');
    const app = await signIn('48000099');
    await openRequest(app, token);
    const rejectedShown = appears(app, 'rejected');
    await app.getByTestId('reject').click();
    await rejectedShown;
    await screenshot(app, 'reject-app');
    await landing.waitForURL(fallBack);
    await app.waitForURL(fallBack);
    const cancel = await lastLogEntry('browser-reject', 'CANCEL');
    assert.equal(cancel.operationSuccess, true);
    const cb = await callback('browser-reject');
    assert.equal((cb.body as { transactionInfo: { status: string } }).transactionInfo.status, 'CANCELLED');
  });

  test('BankID step-up: 48000007 paying NOK 2,000 (limit NOK 1,000) must pass BankID, then the payment is reserved', async () => {
    const { url, token, fallBack } = await initiate('browser-bankid', 200_000);
    const landing = await landingPush(url, '48000007');
    const app = await signIn('48000007');
    await openRequest(app, token);
    await app.getByTestId('confirm').click();
    await app.getByTestId('bankid').waitFor();
    assert.match((await app.getByTestId('bankid').textContent()) ?? '', /Confirm with BankID/);
    // Not a 6-digit code: the app refuses before asking the platform.
    await app.getByTestId('bankid-code').fill('123');
    await app.getByTestId('bankid-password').fill('hemmelig');
    await app.getByTestId('bankid-submit').click();
    assert.match((await app.getByTestId('bankid-error').textContent()) ?? '', /6-digit/);
    await app.getByTestId('bankid-code').fill('123456');
    await screenshot(app, 'bankid-challenge');
    const receiptShown = appears(app, 'receipt');
    await app.getByTestId('bankid-submit').click();
    await receiptShown;
    assert.equal(await app.getByTestId('receipt-status').textContent(), 'Reserved');
    await screenshot(app, 'bankid-receipt');
    await landing.waitForURL(fallBack);
    assert.equal((await lastLogEntry('browser-bankid', 'RESERVE')).operationSuccess, true);
    assert.equal(((await callback('browser-bankid')).body as { transactionInfo: { status: string } }).transactionInfo.status, 'RESERVED');
  });

  test('an expired card (48000003): the app shows "The card has expired.", details RESERVE fails, RESERVE_FAILED callback with errorCode 44, redirect to fallBack', async () => {
    const { url, token, fallBack } = await initiate('browser-expired', 30_000);
    const landing = await landingPush(url, '48000003');
    const app = await signIn('48000003');
    await openRequest(app, token);
    // The card is marked (by the server's sandbox clock) but still selectable: the issuer decides.
    assert.equal(await app.locator('[data-testid="card-option"] [data-testid="card-problem"]').textContent(), 'Expired');
    const refusedShown = appears(app, 'refused');
    await app.getByTestId('confirm').click();
    await refusedShown;
    assert.equal(await app.getByTestId('refused-message').textContent(), 'The card has expired.');
    await screenshot(app, 'expired-card-refused');
    await landing.waitForURL(fallBack);
    assert.equal((await lastLogEntry('browser-expired', 'RESERVE')).operationSuccess, false);
    const body = (await callback('browser-expired')).body as { transactionInfo: { status: string }; errorInfo?: { errorCode: string } };
    assert.equal(body.transactionInfo.status, 'RESERVE_FAILED');
    assert.equal(body.errorInfo?.errorCode, '44');
  });

  test('a phone opening the landing url is switched straight into the app, which asks for the number (pre-filled) and then shows the request', async () => {
    const { url, token, fallBack } = await initiate('browser-phone', 12_300, { mobileNumber: '48000001' });
    const app = await phone();
    await app.goto(url);
    await app.waitForURL(`${k.baseUrl}/_kasse/app/pay/${token}`);
    await app.getByTestId('signin').waitFor();
    assert.equal(await app.getByTestId('phone-input').inputValue(), '48000001');
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await screenshot(app, 'phone-switch-signin');
    await app.getByTestId('sign-in').click();
    await app.getByTestId('confirm').waitFor();
    assert.match((await app.getByTestId('amount').textContent()) ?? '', /^123,00\s*kr$/);
    const receiptShown = appears(app, 'receipt');
    await app.getByTestId('confirm').click();
    await receiptShown;
    await app.waitForURL(fallBack);
    assert.equal((await lastLogEntry('browser-phone', 'RESERVE')).operationSuccess, true);
  });

  test('merchant text and fallBack are shown as text, never run as markup, on the landing page and in the app', async () => {
    const text = '<img src=x onerror=alert(1)><b>bold</b>';
    const fallBack = `${receiver.url}/fallback/x?</script><script>alert(2)</script>`;
    const { url, token } = await initiate('browser-escape', 1_000, { transactionText: text, fallBack });
    const dialogs: string[] = [];
    const landing = await desktop();
    landing.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await landing.goto(url);
    assert.equal(await landing.getByTestId('text').textContent(), text);
    assert.equal(await landing.locator('main b, main img').count(), 0);
    // The page script survived the fallBack: pushing works.
    await landing.locator('#phone').fill('41234567');
    await landing.locator('#continue').click();
    await landing.locator('#wait-step').waitFor();
    const app = await signIn('41234567');
    app.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await openRequest(app, token);
    assert.equal(await app.getByTestId('transaction-text').textContent(), text);
    assert.equal(await app.locator('#app b, #app img').count(), 0);
    await screenshot(app, 'escaped-text');
    assert.deepEqual(dialogs, []);
  });

  test('sign-in asks for the PIN: a wrong one is refused in human words, the right one signs in; the sandbox-only way in without a PIN is marked', async () => {
    const app = await phone();
    await app.goto(`${k.baseUrl}/_kasse/app`);
    await app.getByTestId('signin').waitFor();
    assert.match((await app.getByTestId('sandbox-no-pin').textContent()) ?? '', /^Sandbox only: .*In production every user has a PIN\.$/);
    await app.getByTestId('phone-input').fill('48000002');
    await app.getByTestId('pin-input').fill('99999');
    await app.getByTestId('sign-in').click();
    await app.getByTestId('signin-error').filter({ hasText: 'Wrong phone number or PIN.' }).waitFor();
    await screenshot(app, 'signin-wrong-pin');
    // A seeded user has a PIN: the number alone is not enough, even in the sandbox.
    await app.getByTestId('sign-in').click();
    await app.getByTestId('signin-error').filter({ hasText: 'Enter your PIN.' }).waitFor();
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    await app.getByTestId('home').waitFor();
    assert.equal(await app.getByTestId('signed-in-as').textContent(), '480 00 002');
    // The session survives a reload (an httpOnly cookie the page script cannot read) and ends with Log out.
    await app.reload();
    await app.getByTestId('home').waitFor();
    assert.equal(await app.evaluate(() => document.cookie), '');
    await app.getByTestId('sign-out').click();
    await app.getByTestId('signin').waitFor();
    await app.reload();
    await app.getByTestId('signin').waitFor();
  });

  test('a request pushed to another user cannot be answered by the signed-in user; the app offers to log in as them', async () => {
    const { url, token } = await initiate('browser-other-user', 5_000);
    await landingPush(url, '48000001');
    const app = await signIn('48000012');
    await app.goto(`${k.baseUrl}/_kasse/app/pay/${token}`);
    await app.getByTestId('other-user').waitFor();
    assert.equal(await app.getByTestId('confirm').count(), 0);
    await screenshot(app, 'other-user');
    await app.getByTestId('switch-user').click();
    await app.getByTestId('signin').waitFor();
    assert.equal(await app.getByTestId('phone-input').inputValue(), '48000001');
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    await app.getByTestId('confirm').waitFor();
  });

  test('the sandbox page lists the seeded users with what each shows, the banks and the test amounts, and links to the app and the docs', async () => {
    const p = await desktop();
    await p.goto(`${k.baseUrl}/_kasse/sandbox`);
    const ola = p.locator('[data-testid="sandbox-user"][data-msisdn="48000001"]');
    assert.match((await ola.textContent()) ?? '', /Ola Nordmann.*a happy path/s);
    assert.equal(await ola.getByTestId('sandbox-pin').textContent(), SEEDED_USER_PIN);
    assert.match((await p.locator('[data-testid="sandbox-user"][data-msisdn="48000003"]').textContent()) ?? '', /expired card \(44\).*expired/is);
    assert.ok((await p.getByTestId('sandbox-user').count()) >= 12);
    assert.ok((await p.getByTestId('sandbox-bank').count()) >= 5);
    assert.equal(await p.getByTestId('test-amount').count(), 9);
    assert.match((await p.getByTestId('test-amount').first().textContent()) ?? '', /1,51\s*kr.*Insufficient funds/s);
    assert.equal(await p.getByTestId('open-app').getAttribute('href'), '/_kasse/app');
    assert.equal(await p.getByTestId('api-docs').getAttribute('href'), '/_kasse/docs');
    await screenshot(p, 'sandbox-page', { fullPage: true });
  });
});
