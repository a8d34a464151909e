// The browser tests' rig: a real Kasse (fake clock) with a CallbackReceiver as the merchant's server, and playwright-core
// driving Debian's Chromium as a desktop (landing page) and a phone (the app); screenshots go under test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { sandboxPinOf } from './app-session.ts';
import type { CallbackReceiver } from './callback-receiver.ts';
import { startKasseWithReceiver, type KasseWithReceiver, type TestKasse } from './harness.ts';
import { skipUnless } from './requirements.ts';

const CHROMIUM = process.env.KASSE_CHROMIUM ?? '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url);
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const WAIT_MS = 20_000;

/**
 * The `skip` option of a browser suite: false when Chromium is installed, else why not (said on the console).
 * Call it at the top level of the test file. CI installs Chromium (.ci/run): under CI=true a missing browser is a
 * broken setup, and a failing test says so instead of a skip.
 */
export function browserSkip(): string | false {
  return skipUnless(
    'Chromium for the browser tests',
    existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set KASSE_CHROMIUM`,
  );
}

/**
 * The rig of one browser suite. Its functions can be taken apart at once; all but start() work once start() has
 * resolved (in before()); close() (in after()) closes the pages, the browser, the receiver and the Kasse.
 */
export function browserRig() {
  let started: { kasse: KasseWithReceiver; browser: Browser } | undefined;
  const contexts: BrowserContext[] = [];
  /** What a page reported that a shopper would not see but must not happen: CSP refusals, missing files of Kasse's. */
  const problems: string[] = [];

  const rig = () => {
    if (!started) throw new Error('browserRig: start() has not resolved');
    return started;
  };

  async function newPage(options: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const context = await rig().browser.newContext(options);
    contexts.push(context);
    const p = await context.newPage();
    p.setDefaultTimeout(WAIT_MS);
    p.on('pageerror', (error) => console.error(`page error on ${p.url()}: ${error.message}`));
    p.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`CSP on ${p.url()}: ${message.text()}`);
    });
    p.on('response', (response) => {
      const kasse = rig().kasse.k.baseUrl;
      if (response.status() === 404 && response.url().startsWith(kasse) && response.request().resourceType() !== 'fetch') {
        problems.push(`404 for ${response.url()} on ${p.url()}`);
      }
    });
    return p;
  }

  async function desktop(): Promise<Page> {
    return newPage({ viewport: { width: 1280, height: 860 } });
  }

  async function phone(): Promise<Page> {
    return newPage({ viewport: { width: 390, height: 844 }, userAgent: IPHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  }

  return {
    /** Starts the Kasse, the receiver and Chromium. */
    async start(): Promise<{ k: TestKasse; receiver: CallbackReceiver }> {
      mkdirSync(RESULTS, { recursive: true });
      const [kasse, browser] = await Promise.all([
        startKasseWithReceiver(),
        chromium.launch({
          executablePath: CHROMIUM,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        }),
      ]);
      started = { kasse, browser };
      return { k: kasse.k, receiver: kasse.receiver };
    },

    async close(): Promise<void> {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
      await started?.browser.close();
      await started?.kasse.close();
    },

    desktop,
    phone,

    /**
     * Resolves when an element with data-testid `testId` appears in `page`. Call it before the action that shows
     * the element: a MutationObserver in the page sees the element the moment it is added, so screens the app leaves
     * on its own (the receipt, the rejection: both return to the shop after a second or two) cannot be missed on a
     * busy machine, as polling for them could.
     */
    appears(page: Page, testId: string): Promise<void> {
      return page.evaluate(
        (id) =>
          new Promise<void>((resolve) => {
            const selector = `[data-testid="${id}"]`;
            if (document.querySelector(selector)) return resolve();
            new MutationObserver((_records, observer) => {
              if (!document.querySelector(selector)) return;
              observer.disconnect();
              resolve();
            }).observe(document, { childList: true, subtree: true });
          }),
        testId,
      );
    },

    /** CSP refusals and 404s of Kasse's own files seen by any page of this rig so far. */
    problems: (): readonly string[] => problems,

    /** Saves test-results/browser-<name>.png. */
    async screenshot(p: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
      await p.screenshot({ path: new URL(`browser-${name}.png`, RESULTS).pathname, ...options });
    },

    /** Desktop: open the initiate url, enter the number, and wait for "continue in the app". */
    async landingPush(url: string, msisdn: string): Promise<Page> {
      const landing = await desktop();
      await landing.goto(url);
      await landing.locator('#phone').fill(msisdn);
      await landing.locator('#continue').click();
      await landing.locator('#wait-step h2', { hasText: 'Continue in the Vipps app' }).waitFor();
      return landing;
    },

    /**
     * Phone: open the app and sign in as `msisdn` with `pin` (default: the seeded users' PIN for the seeded numbers,
     * none for the others, which the sandbox lets in with the number alone); resolves on the home screen.
     */
    async signIn(msisdn: string, pin: string | null = sandboxPinOf(msisdn)): Promise<Page> {
      const app = await phone();
      await app.goto(`${rig().kasse.k.baseUrl}/_kasse/app`);
      await app.getByTestId('phone-input').fill(msisdn);
      if (pin !== null) await app.getByTestId('pin-input').fill(pin);
      await app.getByTestId('sign-in').click();
      await app.getByTestId('home').waitFor();
      return app;
    },
  };
}
