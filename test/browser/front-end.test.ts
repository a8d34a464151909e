// Goal: the front end a shopper and a developer meet looks and behaves right: the start page links what exists; the
// landing page and the app say errors in human words and state the one phone rule; the express summary keeps
// amounts whole inside its card; the countdown warns only near the end; no page meets a CSP refusal or a missing
// file (favicon). Method: a real Kasse (fake clock); playwright-core drives Debian's Chromium; screenshots of every
// page go under test-results/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PHONE_RULE_TEXT } from '../../src/shared/phone-number.ts';
import { SEEDED_USER_PIN } from '../support/app-session.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { CallbackReceiver } from '../support/callback-receiver.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

const skip = browserSkip();
/** The API's own words for User 81: a shopper must never read them. */
const API_TEXT = /Vipps cannot give more details|errorMessage|incorrectly formatted/;

describe('the front end in the browser', { skip }, () => {
  const { start, close, desktop, phone, screenshot, signIn, problems } = browserRig();
  let k: TestKasse;
  let receiver: CallbackReceiver;
  let shop: MerchantClient;

  before(async () => {
    ({ k, receiver } = await start());
    shop = await MerchantClient.create(k.baseUrl, { name: 'Fjellsport AS', express: true });
  });
  after(() => close());

  async function initiate(orderId: string, amountOre: number, merchantInfo: object = {}) {
    const initiated = await shop.initiate(orderId, amountOre, {
      merchantInfo: { callbackPrefix: `${receiver.url}/callbacks`, fallBack: `${receiver.url}/fallback/${orderId}`, ...merchantInfo },
    });
    assert.equal(initiated.status, 200, initiated.text);
    return { url: initiated.body.url as string, token: MerchantClient.tokenOf(initiated.body.url) };
  }

  test('the start page links the app, the sandbox, the callbacks, the portal, the console and the docs, and each opens', async () => {
    const page = await desktop();
    await page.goto(`${k.baseUrl}/`);
    await page.getByTestId('start-links').waitFor();
    assert.deepEqual(await page.locator('.start-card-title').allTextContents(), ['The Vipps app', 'Sandbox', 'Callbacks', 'Merchant portal', 'Operator console', 'API docs']);
    await screenshot(page, 'front-start', { fullPage: true });
    await page.getByTestId('start-sandbox').click();
    await page.getByTestId('sandbox-user').first().waitFor();
    assert.match((await page.getByTestId('phone-rule').textContent()) ?? '', new RegExp(PHONE_RULE_TEXT));
    await screenshot(page, 'front-sandbox', { fullPage: true });
    await page.getByTestId('callbacks').click();
    await page.locator('#rows').waitFor({ state: 'attached' });
    await screenshot(page, 'front-callbacks');
    await page.goto(`${k.baseUrl}/`);
    await page.getByTestId('start-console').click();
    await page.getByTestId('login').waitFor();
    // The API docs (Swagger UI) run under the same strict policy: it renders, and the rig sees no CSP refusal.
    await page.goto(`${k.baseUrl}/_kasse/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    await screenshot(page, 'front-docs');
  });

  test('landing page: a number that is no Vipps user gets a human sentence, not the API text; the countdown starts calm', async () => {
    const { url } = await initiate('front-landing', 19_900);
    const landing = await desktop();
    await landing.goto(url);
    assert.equal(await landing.locator('#timer').getAttribute('data-tone'), 'calm');
    assert.match((await landing.locator('#phone-rule').textContent()) ?? '', new RegExp(PHONE_RULE_TEXT));
    await landing.locator('#phone').fill('12345678');
    const answered = landing.waitForResponse((r) => r.url().endsWith('/push'));
    await landing.locator('#continue').click();
    assert.equal((await answered).status(), 400);
    const error = landing.getByTestId('landing-error');
    await error.filter({ hasText: 'not a Vipps user' }).waitFor();
    const said = (await error.textContent()) ?? '';
    assert.equal(said, `This number is not a Vipps user. Check it: Vipps needs ${PHONE_RULE_TEXT}.`);
    assert.doesNotMatch(said, API_TEXT);
    await screenshot(landing, 'front-landing-error');
  });

  test('app sign-in states the one rule and answers a number that is no Vipps user in human words', async () => {
    const app = await phone();
    await app.goto(`${k.baseUrl}/_kasse/app`);
    await app.getByTestId('signin').waitFor();
    assert.match((await app.getByTestId('signin').textContent()) ?? '', new RegExp(PHONE_RULE_TEXT));
    await app.getByTestId('phone-input').fill('12345678');
    await app.getByTestId('sign-in').click();
    const error = app.getByTestId('signin-error');
    await error.filter({ hasText: 'not a Vipps user' }).waitFor();
    assert.doesNotMatch((await error.textContent()) ?? '', API_TEXT);
    await screenshot(app, 'front-app-signin-error');
  });

  test('the countdown chip of a pending request is calm at first and turns warning-coloured in the last minute', async () => {
    const { token } = await initiate('front-countdown', 9_900);
    const landing = await desktop();
    await landing.goto((await initiate('front-countdown-2', 9_900)).url);
    const app = await signIn('48000001');
    // Push the first request to the user through the landing API, as the landing page does.
    const pushed = await app.request.post(`${k.baseUrl}/_kasse/landing/${token}/push`, { data: { mobileNumber: '48000001' } });
    assert.equal(pushed.status(), 200);
    await app.reload();
    const chip = app.locator(`[data-testid="pending-request"][data-token="${token}"] [data-testid="pending-left"]`);
    await chip.waitFor();
    assert.equal(await chip.getAttribute('data-tone'), 'calm');
    await screenshot(app, 'front-countdown-calm');
    await k.advance(250_000);
    await app.reload();
    await chip.waitFor();
    await app.locator(`[data-testid="pending-request"][data-token="${token}"] [data-tone="warning"]`).waitFor();
    await screenshot(app, 'front-countdown-warning');
  });

  test('the express summary keeps each amount on one line inside its card on a narrow phone', async () => {
    const { token } = await initiate('front-summary', 123_456_700, {
      paymentType: 'eComm Express Payment',
      consentRemovalPrefix: `${receiver.url}/consents`,
      staticShippingDetails: [
        { isDefault: 'Y', priority: 1, shippingCost: 12345.5, shippingMethod: 'Hjemlevering med kveldsbud og bæring opp trappene', shippingMethodId: 'home' },
      ],
    });
    const app = await phone();
    await app.setViewportSize({ width: 320, height: 700 });
    await app.goto(`${k.baseUrl}/_kasse/app/pay/${token}?phone=48000002`);
    await app.getByTestId('pin-input').fill(SEEDED_USER_PIN);
    await app.getByTestId('sign-in').click();
    await app.getByTestId('consent-share').click();
    const summary = app.getByTestId('summary');
    await app.locator('[data-testid="summary"][data-ready="true"]').waitFor();
    const layout = await summary.evaluate((dl) => ({
      overflow: dl.scrollWidth - dl.clientWidth,
      amounts: [...dl.querySelectorAll('dd')].map((dd) => {
        // One line box per line of text: a number broken across lines has more than one.
        const range = document.createRange();
        range.selectNodeContents(dd);
        return { text: dd.textContent, lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size };
      }),
    }));
    assert.ok(layout.overflow <= 0, `the summary overflows its card by ${layout.overflow}px`);
    // The shipping option above it too: a long method name wraps, its cost stays whole and inside the card.
    const option = await app.getByTestId('shipping-option').evaluate((label) => ({
      overflow: label.scrollWidth - label.clientWidth,
      costRight: label.querySelector('[data-testid="shipping-cost"]')?.getBoundingClientRect().right ?? Infinity,
      cardRight: label.getBoundingClientRect().right,
    }));
    assert.ok(option.overflow <= 0 && option.costRight <= option.cardRight, `the shipping option overflows: ${JSON.stringify(option)}`);
    for (const amount of layout.amounts) assert.equal(amount.lines, 1, `${amount.text} wraps`);
    await summary.scrollIntoViewIfNeeded();
    await screenshot(app, 'front-express-summary');
  });

  test('no page met a CSP refusal or a missing file of Kasse (the favicon included)', () => {
    assert.deepEqual(problems(), []);
  });
});
