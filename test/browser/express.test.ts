// Goal: in the simulated Vipps app a shopper can share their profile, pay with express checkout (address → the merchant's shipping methods → total) and remove a company that remembers them, and the merchant sees each step. Method: a real Kasse (fake clock) with a CallbackReceiver as the merchant's server (callbacks, shipping details, consent removal); playwright-core drives Debian's Chromium as a desktop (landing page) and a phone (the app), and each test saves screenshots under test-results/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { insertAddress } from '../../src/store/repos/addresses.ts';
import { SEEDED_USER_PIN } from '../support/app-session.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { CallbackReceiver, ReceivedRequest } from '../support/callback-receiver.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

const skip = browserSkip();
const AUTH_TOKEN = 'Bearer merchant-secret-4711';

/** What the merchant's shipping endpoint answers: the default (Posten) is not first by priority. */
function shippingAnswer(request: ReceivedRequest) {
  const orderId = request.url.split('/').at(-2);
  return {
    addressId: (request.body as { addressId?: unknown }).addressId,
    orderId,
    shippingDetails: [
      { isDefault: 'N', priority: 1, shippingCost: '99.00', shippingMethod: 'Walking', shippingMethodId: 'walk' },
      { isDefault: 'Y', priority: 2, shippingCost: 49, shippingMethod: 'Posten', shippingMethodId: 'posten' },
    ],
  };
}

type Callback = {
  transactionInfo: { status: string; amount: number };
  shippingDetails?: { address: Record<string, unknown>; shippingCost: unknown; shippingMethod: string; shippingMethodId: string };
  userDetails?: { firstName: string; lastName: string; email: string; mobileNumber: string; userId: string };
  errorInfo?: { errorCode: string };
};

describe('express checkout and profile sharing in the browser', { skip }, () => {
  const { start, close, phone, screenshot, landingPush, signIn, appears } = browserRig();
  let k: TestKasse;
  let receiver: CallbackReceiver;
  let shop: MerchantClient;

  before(async () => {
    ({ k, receiver } = await start());
    shop = await MerchantClient.create(k.baseUrl, { name: 'Turbutikken AS', express: true });
    // The merchant's server: shipping methods under /shop, a broken shipping endpoint under /broken.
    receiver.behave = (request) => {
      if (!request.url.endsWith('/shippingDetails')) return {};
      if (request.url.startsWith('/broken/')) return { status: 500, body: { error: 'the shop is down' } };
      // Bergen takes the shop a moment: long enough to see the app wait for it.
      const slow = (request.body as { city?: string }).city === 'BERGEN';
      return { body: shippingAnswer(request), delayMs: slow ? 1_000 : 0 };
    };
  });

  after(() => close());

  /** The express merchant initiates; callbacks, shipping and consent removal go to the receiver. */
  async function initiateExpress(orderId: string, amountOre: number, shippingPrefix = `${receiver.url}/shop`) {
    const fallBack = `${receiver.url}/fallback/${orderId}`;
    const initiated = await shop.initiate(orderId, amountOre, {
      merchantInfo: {
        callbackPrefix: `${receiver.url}/callbacks`,
        fallBack,
        authToken: AUTH_TOKEN,
        paymentType: 'eComm Express Payment',
        consentRemovalPrefix: `${receiver.url}/consents`,
        shippingDetailsPrefix: shippingPrefix,
      },
      transaction: { transactionText: 'Tent and two sleeping bags' },
    });
    assert.equal(initiated.status, 200, initiated.text);
    return { url: initiated.body.url, token: MerchantClient.tokenOf(initiated.body.url), fallBack };
  }

  /** The first request the receiver got that matches (waits for it; bounded by the receiver's timeout). */
  async function received(match: (r: ReceivedRequest) => boolean, nth = 0): Promise<ReceivedRequest> {
    for (;;) {
      const hit = receiver.requests.filter(match)[nth];
      if (hit) return hit;
      await receiver.waitFor(receiver.requests.length + 1);
    }
  }

  const callback = async (orderId: string) => (await received((r) => r.url === `/callbacks/v2/payments/${orderId}`)).body as Callback;
  const shippingCall = (orderId: string, nth = 0) => received((r) => r.url === `/shop/v2/payments/${orderId}/shippingDetails`, nth);

  const text = async (p: Page, testId: string) => ((await p.getByTestId(testId).textContent()) ?? '').replace(/\s/g, ' ');

  test('express: consent → default address → the shop is asked for shipping methods → another address asks again → the non-default method → RESERVE of amount + shipping, callback and details with shipping and user details; removing the consent in the app calls DELETE consentRemovalPrefix/v2/consents/{userId}', async () => {
    // Ola gets a second (work) address: changing the address must ask the shop again.
    await insertAddress(k.kasse.ctx.store.db, {
      msisdn: '48000001', address_line1: 'Bryggen 7', address_line2: 'c/o Hanseatene', city: 'BERGEN', post_code: '5003', country: 'NO', address_type: 'W', is_default: 0,
    });
    const orderId = 'express-walk';
    const { url, token, fallBack } = await initiateExpress(orderId, 49_900);
    const landing = await landingPush(url, '48000001');
    const app = await signIn('48000001');
    await app.locator(`[data-testid="pending-request"][data-token="${token}"]`).click();

    // 1. Consent before anything else.
    await app.getByTestId('consent').waitFor();
    assert.equal(await app.getByTestId('consent-title').textContent(), 'Turbutikken AS wants your name, email, phone number and address');
    assert.deepEqual(await app.getByTestId('consent-scope').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.scope)), ['name', 'email', 'phoneNumber', 'address']);
    assert.match(await text(app, 'consent-scopes'), /Ola Nordmann.*\+47 480 00 001.*Dronning Eufemias gate 42, 0191 OSLO/);
    assert.equal(receiver.requests.some((r) => r.url.endsWith('/shippingDetails')), false, 'no shipping call before the user shares');
    await screenshot(app, 'express-1-consent');
    await app.getByTestId('consent-share').click();

    // 2. The default address is preselected and the shop is asked about it, with the initiate authToken.
    await app.getByTestId('shipping-option').first().waitFor();
    const first = await shippingCall(orderId);
    assert.equal(first.method, 'POST');
    assert.equal(first.headers.authorization, AUTH_TOKEN);
    const body = first.body as Record<string, unknown>;
    assert.equal(typeof body.addressId, 'number');
    assert.deepEqual(
      { addressLine1: body.addressLine1, city: body.city, postCode: body.postCode, country: body.country },
      { addressLine1: 'Dronning Eufemias gate 42', city: 'OSLO', postCode: '0191', country: 'NO' },
    );
    const defaultAddress = app.locator(`[data-testid="address-option"][data-address-id="${String(body.addressId)}"]`);
    assert.equal(await defaultAddress.locator('input').isChecked(), true);
    assert.equal(await app.getByTestId('address-option').count(), 2);

    // 3. Methods by priority (Walking first), the default (Posten) preselected, costs in NOK; the summary adds up.
    assert.deepEqual(await app.getByTestId('shipping-name').allTextContents(), ['Walking', 'Posten']);
    assert.deepEqual((await app.getByTestId('shipping-cost').allTextContents()).map((t) => t.replace(/\s/g, ' ')), ['99,00 kr', '49,00 kr']);
    assert.equal(await app.locator('[data-testid="shipping-option"][data-method-id="posten"] input').isChecked(), true);
    assert.equal(await text(app, 'summary-total'), '548,00 kr');
    await app.getByTestId('address-picker').scrollIntoViewIfNeeded();
    await screenshot(app, 'express-2-default-address');

    // 4. Another address: the methods are asked for again, for that address.
    await app.locator('[data-testid="address-option"]:not([data-address-id="' + String(body.addressId) + '"])').click();
    // While the shop answers: a spinner, no methods, addresses locked, nothing to confirm.
    await app.getByTestId('shipping-loading').waitFor();
    assert.equal(await app.getByTestId('shipping-option').count(), 0);
    assert.equal(await app.getByTestId('confirm').isDisabled(), true);
    assert.equal(await app.getByTestId('address-radio').first().isDisabled(), true);
    await screenshot(app, 'express-2b-asking-the-shop');
    const second = await shippingCall(orderId, 1);
    assert.deepEqual(
      { addressLine1: (second.body as Record<string, unknown>).addressLine1, city: (second.body as Record<string, unknown>).city, postCode: (second.body as Record<string, unknown>).postCode },
      { addressLine1: 'Bryggen 7', city: 'BERGEN', postCode: '5003' },
    );
    await app.locator('[data-testid="summary"][data-ready="true"]').waitFor();
    assert.equal(await app.locator('[data-testid="shipping-option"][data-method-id="posten"] input').isChecked(), true);

    // 5. The non-default method: the total follows.
    await app.locator('[data-testid="shipping-option"][data-method-id="walk"]').click();
    assert.equal(await text(app, 'summary-amount'), '499,00 kr');
    assert.equal(await text(app, 'summary-shipping'), '99,00 kr');
    assert.equal(await text(app, 'summary-total'), '598,00 kr');
    await app.getByTestId('confirm').scrollIntoViewIfNeeded();
    await screenshot(app, 'express-3-walking-summary');
    const receiptShown = appears(app, 'receipt');
    await app.getByTestId('confirm').click();
    await receiptShown;
    assert.equal(await text(app, 'receipt-amount'), '598,00 kr');
    assert.equal(await text(app, 'receipt-shipping'), 'Walking · 99,00 kr');
    assert.equal(await text(app, 'receipt-address'), 'Bryggen 7, c/o Hanseatene, 5003 BERGEN');
    await screenshot(app, 'express-4-receipt');
    await landing.waitForURL(fallBack);
    await app.waitForURL(fallBack);

    // The merchant: the express callback (RESERVE, zipCode, NOK) and details (postCode), amount + shipping in øre.
    const cb = await callback(orderId);
    assert.equal(cb.transactionInfo.status, 'RESERVE');
    assert.equal(cb.transactionInfo.amount, 59_800);
    assert.deepEqual(cb.shippingDetails, {
      address: { addressLine1: 'Bryggen 7', addressLine2: 'c/o Hanseatene', city: 'BERGEN', country: 'NO', zipCode: '5003' },
      shippingCost: 99,
      shippingMethod: 'Walking',
      shippingMethodId: 'walk',
    });
    const userDetails = cb.userDetails!;
    assert.deepEqual({ ...userDetails, userId: typeof userDetails.userId }, { firstName: 'Ola', lastName: 'Nordmann', email: userDetails.email, mobileNumber: '48000001', userId: 'string' });
    assert.match(userDetails.email, /@/);
    const details = await shop.details(orderId);
    assert.equal(details.status, 200, details.text);
    assert.equal(details.body.shippingDetails.address.postCode, '5003');
    assert.equal(details.body.shippingDetails.shippingMethodId, 'walk');
    assert.equal(details.body.userDetails.userId, userDetails.userId);
    const reserve = details.body.transactionLogHistory.find((e: { operation: string }) => e.operation === 'RESERVE');
    assert.deepEqual({ amount: reserve.amount, operationSuccess: reserve.operationSuccess }, { amount: 59_800, operationSuccess: true });

    // "Companies that remember you": the shop is listed; Remove tells the shop.
    await app.goto(`${k.baseUrl}/_kasse/app`);
    const item = app.getByTestId('consent-item').filter({ hasText: 'Turbutikken AS' });
    await item.waitFor();
    assert.equal(await item.getByTestId('consent-scopes').textContent(), 'Name, Email, Phone number, Address');
    // Activity shows what was reserved: the amount plus shipping.
    assert.equal((await app.locator(`[data-testid="history-item"][data-order-id="${orderId}"] [data-testid="history-amount"]`).textContent())?.replace(/\s/g, ' '), '598,00 kr');
    await item.scrollIntoViewIfNeeded();
    await screenshot(app, 'express-5-companies-that-remember-you');
    await item.getByTestId('consent-remove').click();
    await item.waitFor({ state: 'detached' });
    await app.getByTestId('no-consents').waitFor();
    const deletion = await received((r) => r.method === 'DELETE');
    assert.equal(deletion.url, `/consents/v2/consents/${encodeURIComponent(userDetails.userId)}`);
    await screenshot(app, 'express-6-consent-removed');
  });

  test('express: when the shop cannot answer for shipping the app says "No shipping methods found" / "Payment failed", returns to the shop, and the payment has failed (RESERVE_FAILED)', async () => {
    const orderId = 'express-broken';
    const { token, fallBack } = await initiateExpress(orderId, 20_000, `${receiver.url}/broken`);
    const app = await phone();
    await app.goto(`${k.baseUrl}/_kasse/app/pay/${token}?phone=48000001`);
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    await app.getByTestId('consent-share').click();
    await app.getByTestId('shipping-failed').waitFor();
    assert.equal(await app.getByTestId('shipping-failed-message').textContent(), 'No shipping methods found');
    assert.match((await app.getByTestId('shipping-failed').textContent()) ?? '', /Payment failed/);
    await screenshot(app, 'express-shipping-failed');
    await app.waitForURL(fallBack);
    const cb = await callback(orderId);
    assert.equal(cb.transactionInfo.status, 'RESERVE_FAILED');
    const details = await shop.details(orderId);
    const reserve = details.body.transactionLogHistory.find((e: { operation: string }) => e.operation === 'RESERVE');
    assert.equal(reserve.operationSuccess, false);
  });

  test('express: Cancel at the consent step cancels the payment (CANCELLED callback) without asking the shop for shipping', async () => {
    const orderId = 'express-declined';
    const { token, fallBack } = await initiateExpress(orderId, 15_000);
    const app = await phone();
    await app.goto(`${k.baseUrl}/_kasse/app/pay/${token}?phone=48000001`);
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    const rejectedShown = appears(app, 'rejected');
    await app.getByTestId('consent-cancel').click();
    await rejectedShown;
    await app.waitForURL(fallBack);
    assert.equal((await callback(orderId)).transactionInfo.status, 'CANCELLED');
    assert.equal(receiver.requests.some((r) => r.url.includes(`/${orderId}/shippingDetails`)), false);
  });

  test('profile sharing: a payment with scope "name email phoneNumber" asks for consent first; after approval details has a sub and userinfo answers name, email and phone number but no address', async () => {
    const books = await MerchantClient.create(k.baseUrl, { name: 'Bokhandelen AS' });
    const orderId = 'profile-books';
    const fallBack = `${receiver.url}/fallback/${orderId}`;
    const initiated = await books.initiate(orderId, 34_900, {
      merchantInfo: { callbackPrefix: `${receiver.url}/callbacks`, fallBack },
      customerInfo: { mobileNumber: '48000001' },
      transaction: { transactionText: 'Two paperbacks', scope: 'name email phoneNumber' },
    });
    assert.equal(initiated.status, 200, initiated.text);
    const app = await phone();
    await app.goto(initiated.body.url);
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    await app.getByTestId('consent').waitFor();
    assert.equal(await app.getByTestId('consent-title').textContent(), 'Bokhandelen AS wants your name, email and phone number');
    assert.equal(await app.getByTestId('consent-scope').count(), 3);
    await screenshot(app, 'profile-consent');
    await app.getByTestId('consent-share').click();
    const receiptShown = appears(app, 'receipt');
    await app.getByTestId('confirm').click();
    await receiptShown;
    await app.waitForURL(fallBack);

    const details = await books.details(orderId);
    assert.equal(details.status, 200, details.text);
    assert.equal(typeof details.body.sub, 'string');
    const claims = await books.call('GET', `/vipps-userinfo-api/userinfo/${details.body.sub}`);
    assert.equal(claims.status, 200, claims.text);
    assert.equal(claims.body.name, 'Ola Nordmann');
    assert.match(claims.body.email, /@/);
    assert.equal(claims.body.phone_number, '4748000001');
    assert.equal('address' in claims.body, false);
  });

  test('a shop the user already shares with remembers them: the next payment asking for the same skips the consent step (same sub); asking for more, or after the user removed the shop, asks again', async () => {
    const cafe = await MerchantClient.create(k.baseUrl, { name: 'Kaffebrenneriet AS' });
    /** Pays one order asking for `scope`; answers whether the consent step was shown, and the payment's sub. */
    const pay = async (orderId: string, scope: string) => {
      const fallBack = `${receiver.url}/fallback/${orderId}`;
      const initiated = await cafe.initiate(orderId, 4_900, {
        merchantInfo: { callbackPrefix: `${receiver.url}/callbacks`, fallBack },
        customerInfo: { mobileNumber: '48000001' },
        transaction: { transactionText: 'Coffee', scope },
      });
      assert.equal(initiated.status, 200, initiated.text);
      const app = await phone();
      await app.goto(initiated.body.url);
      await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
      await app.getByTestId('sign-in').click();
      // The app settles on one screen: the consent step, or the request itself (remembered). Wait for that event,
      // then read which one it is from the frame's data-screen, instead of racing two locators.
      const settled = app.locator('#phone[data-screen="consent"], #phone[data-screen="request"]');
      await settled.waitFor();
      const asked = (await settled.getAttribute('data-screen')) === 'consent';
      if (asked) await app.getByTestId('consent-share').click();
      else assert.match(await text(app, 'consent-remembered'), /Kaffebrenneriet AS remembers you: you share your name and email/);
      await screenshot(app, `remembered-${orderId}`);
      const receiptShown = appears(app, 'receipt');
      await app.getByTestId('confirm').click();
      await receiptShown;
      const details = await cafe.details(orderId);
      assert.equal(details.status, 200, details.text);
      return { asked, sub: details.body.sub as string, app };
    };

    const first = await pay('remember-1', 'name email');
    assert.equal(first.asked, true);
    const second = await pay('remember-2', 'name email');
    assert.equal(second.asked, false, 'the same scope again is not asked for');
    assert.equal(second.sub, first.sub);
    const more = await pay('remember-3', 'name email address');
    assert.equal(more.asked, true, 'a wider scope is asked for');

    // The user removes the shop under "Companies that remember you"; the next payment asks again.
    const app = await signIn('48000001');
    const item = app.getByTestId('consent-item').filter({ hasText: 'Kaffebrenneriet AS' });
    await item.getByTestId('consent-remove').click();
    await item.waitFor({ state: 'detached' });
    const afterRemoval = await pay('remember-4', 'name email');
    assert.equal(afterRemoval.asked, true, 'after removal it asks again');
  });
});
