// Goal: an operator does the KAM's work in the console in a real browser: logs in (and a guessed password locks the
// account), changes a sales unit's capture type and fees, deactivates it — the merchant API answers Merchant 37 —
// and reactivates it, gives a partner a key for that unit and takes it back, and the audit log shows each change
// with its before and after, under the operator's name.
// Method: a real Kasse (fake clock); playwright-core drives Debian's Chromium on a desktop; the merchant's side is
// the ecomm API over HTTP; every test saves a screenshot under test-results/ and no page may hit a CSP refusal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SANDBOX_ACTOR } from '../../src/core/operators/audit.ts';
import { createOperator } from '../../src/core/operators/operator-accounts.ts';
import { LOGIN_LOCKOUT } from '../../src/core/web-accounts/accounts.ts';
import { browserRig, browserSkip } from '../support/browser.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient, vippsError } from '../support/merchant-client.ts';
import { PartnerClient, type PartnerKeys } from '../support/partner-client.ts';

const skip = browserSkip();
const KAM = { email: 'kam@kasse.test', password: 'the KAM password' };

describe('the operator console in the browser', { skip }, () => {
  const { start, close, desktop, screenshot, problems } = browserRig();
  let k: TestKasse;
  let merchant: MerchantClient;
  let page: Page;

  before(async () => {
    ({ k } = await start());
    await createOperator(k.kasse.ctx, SANDBOX_ACTOR, KAM);
    await createOperator(k.kasse.ctx, SANDBOX_ACTOR, { email: 'guessed@kasse.test', password: 'nobody guesses this' });
    merchant = await MerchantClient.create(k.baseUrl, { name: 'Sokkebutikken AS' });
  });
  after(() => close());

  async function logIn(p: Page, email: string, password: string): Promise<void> {
    await p.goto(`${k.baseUrl}/console`);
    await p.getByTestId('login').waitFor();
    await p.locator('#email').fill(email);
    await p.locator('#password').fill(password);
    await p.getByTestId('login-submit').click();
  }

  const unitPath = () => `${k.baseUrl}/console/sales-units/${merchant.msn}`;

  test(`log-in: ${LOGIN_LOCKOUT.failuresBeforeLock} wrong passwords lock the account; the operator logs in and sees the merchants`, async () => {
    const guesser = await desktop();
    for (let n = 1; n <= LOGIN_LOCKOUT.failuresBeforeLock; n++) {
      await logIn(guesser, 'guessed@kasse.test', `guess number ${n}`);
      await guesser.getByTestId('login-error').filter({ hasText: 'do not match' }).waitFor();
    }
    await logIn(guesser, 'guessed@kasse.test', 'nobody guesses this');
    await guesser.getByTestId('login-error').filter({ hasText: 'locked until' }).waitFor();
    await screenshot(guesser, 'console-lockout');

    page = await desktop();
    page.on('dialog', (dialog) => void dialog.accept());
    await logIn(page, KAM.email, KAM.password);
    await page.getByTestId('console-nav').waitFor();
    assert.equal(await page.getByTestId('console-operator').textContent(), KAM.email);
    await page.locator(`[data-testid="sales-unit-row"][data-msn="${merchant.msn}"]`).waitFor();
    await screenshot(page, 'console-merchants', { fullPage: true });
  });

  test('change the capture type to direct and the fees; the merchant’s next payment is a direct capture (SALE)', async () => {
    await page.goto(unitPath());
    await page.getByTestId('capture-type').selectOption('direct');
    await page.getByTestId('save-capture-type').click();
    await page.getByTestId('flash').filter({ hasText: 'Capture type saved' }).waitFor();
    await page.getByTestId('fee-basis-points').fill('175');
    await page.getByTestId('fee-fixed-ore').fill('100');
    await page.getByTestId('settlement-type').selectOption('gross');
    await page.getByTestId('payout-frequency').selectOption('weekly');
    await page.getByTestId('save-settlement').click();
    await page.getByTestId('flash').filter({ hasText: 'Fees and settlement saved' }).waitFor();
    assert.equal(await page.getByTestId('capture-type').inputValue(), 'direct');
    assert.equal(await page.getByTestId('fee-basis-points').inputValue(), '175');
    await screenshot(page, 'console-capture-type-and-fees', { fullPage: true });

    const unit = await k.kasse.store.db.selectFrom('sales_unit').selectAll().where('msn', '=', merchant.msn).executeTakeFirstOrThrow();
    assert.deepEqual([unit.capture_type, unit.fee_basis_points, unit.fee_fixed_ore, unit.settlement_type, unit.payout_frequency], ['direct', 175, 100, 'gross', 'weekly']);
    await merchant.reserved('sold-directly', 10_000);
    const details = await merchant.details('sold-directly');
    assert.equal(details.body.transactionLogHistory[0].operation, 'SALE', details.text);
  });

  test('deactivate, and the API answers Merchant 37 meanwhile; reactivate, and it serves again', async () => {
    assert.equal((await merchant.initiate('before-deactivation', 1000)).status, 200);
    await page.goto(unitPath());
    await page.getByTestId('status-deactivate').click(); // confirmed by the dialog handler
    await page.getByTestId('unit-status').filter({ hasText: 'Merchant 37' }).waitFor();
    await page.getByTestId('flash').filter({ hasText: 'Deactivated' }).waitFor();
    await screenshot(page, 'console-deactivated');

    const refused = await merchant.initiate('while-deactivated', 1000);
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual([vippsError(refused.body).errorGroup, vippsError(refused.body).errorCode], ['Merchant', '37']);

    await page.getByTestId('status-reactivate').click();
    await page.getByTestId('unit-status').filter({ hasText: 'active' }).waitFor();
    assert.equal((await merchant.initiate('after-reactivation', 1000)).status, 200);
    await screenshot(page, 'console-reactivated');
  });

  test('partners: add one, attach a sales unit, issue a key shown once; the key acts for that unit, is refused once detached, then revoked', async () => {
    await page.getByTestId('nav-partners').click();
    await page.getByTestId('partners').waitFor();
    await page.getByTestId('partner-name').fill('Nettbutikk-plattformen AS');
    await page.getByTestId('create-partner').click();
    await page.getByTestId('flash').filter({ hasText: 'Partner created' }).waitFor();
    const partnerId = (await page.locator('dl.facts dd').first().textContent())!;

    await page.getByTestId('attach-msn').selectOption(merchant.msn);
    await page.getByTestId('attach-unit').click();
    await page.getByTestId('flash').filter({ hasText: 'Sales unit attached' }).waitFor();
    await page.locator(`[data-testid="partner-unit"][data-msn="${merchant.msn}"]`).waitFor();

    await page.getByTestId('create-key').click();
    await page.getByTestId('issued-secret').waitFor();
    const keys: PartnerKeys = {
      partnerId,
      clientId: (await page.getByTestId('issued-client-id').textContent())!,
      clientSecret: (await page.getByTestId('issued-client-secret').textContent())!,
      subscriptionKey: (await page.getByTestId('issued-subscription-key').textContent())!,
    };
    await screenshot(page, 'console-partner-key-issued', { fullPage: true });
    // Shown once: the page, opened again, has the key's client id, never its secrets.
    await page.goto(`${k.baseUrl}/console/partners/${partnerId}`);
    await page.locator(`[data-testid="api-key"][data-client-id="${keys.clientId}"]`).waitFor();
    assert.equal(await page.getByTestId('issued-secret').count(), 0);
    assert.ok(!(await page.content()).includes(keys.clientSecret));

    const platform = new PartnerClient(k.baseUrl, keys, merchant.msn);
    const initiated = await platform.initiate('via-the-platform', 2_500);
    assert.equal(initiated.status, 200, initiated.text);

    await page.locator(`[data-testid="partner-unit"][data-msn="${merchant.msn}"]`).getByTestId('detach-unit').click(); // confirmed by the dialog handler
    await page.getByTestId('flash').filter({ hasText: 'Sales unit detached' }).waitFor();
    const detached = await new PartnerClient(k.baseUrl, keys, merchant.msn).initiate('after-detach', 2_500);
    assert.equal(detached.status, 403, detached.text);

    await page.locator(`[data-testid="api-key"][data-client-id="${keys.clientId}"]`).getByTestId('revoke-key').click();
    await page.getByTestId('flash').filter({ hasText: 'Key revoked' }).waitFor();
    await assert.rejects(new PartnerClient(k.baseUrl, keys, merchant.msn).token(), /access token: 401/);

    const history = page.locator('[data-testid="audit-entry"]');
    assert.deepEqual(
      new Set(await history.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')))),
      new Set(['partner.create', 'partner.attach', 'partner-key.create', 'partner.detach', 'partner-key.revoke']),
    );
    assert.match((await history.first().textContent()) ?? '', new RegExp(`operator: ${KAM.email}`));
    await screenshot(page, 'console-partner', { fullPage: true });
  });

  test('the audit log shows each change with before and after, under the operator’s name', async () => {
    await page.goto(`${k.baseUrl}/console/audit-log?subject=${merchant.msn}`);
    const entry = (action: string) => page.locator(`[data-testid="audit-entry"][data-action="${action}"]`).first();
    const change = async (action: string, field: string) => {
      const row = entry(action).locator(`[data-testid="audit-change"][data-field="${field}"]`);
      return [await row.getByTestId('before').textContent(), await row.getByTestId('after').textContent()];
    };
    assert.deepEqual(await change('sales-unit.capture-type', 'capture_type'), ['reserve', 'direct']);
    assert.deepEqual(await change('sales-unit.settlement', 'fee_basis_points'), ['0', '175']);
    assert.deepEqual(await change('sales-unit.settlement', 'settlement_type'), ['net', 'gross']);
    assert.deepEqual(await change('sales-unit.deactivate', 'status'), ['active', 'deactivated']);
    assert.deepEqual(await change('sales-unit.reactivate', 'status'), ['deactivated', 'active']);
    for (const action of ['sales-unit.capture-type', 'sales-unit.settlement', 'sales-unit.deactivate', 'sales-unit.reactivate']) {
      assert.match((await entry(action).textContent()) ?? '', new RegExp(`operator: ${KAM.email}`), action);
    }
    await screenshot(page, 'console-audit-log', { fullPage: true });
    assert.deepEqual(problems(), [], 'no CSP refusal and no missing file on any console page');
  });
});
