// Goal: the idle rule for test sales units, both sides of it.
//  - Production mode: a test sales unit with no payment for KASSE_IDLE_TEST_DAYS (30) is deactivated by the job runner
//    on the injected clock — the API answers Merchant 37 — with an audit entry by "idle rule"; a unit that is no test
//    unit, and a test unit with a recent payment, stay active; the operator's reactivation starts the count again.
//  - Sandbox mode: the rule never runs, so sandbox time travel keeps working: a test merchant (every sandbox merchant is
//    one) that moves the clock 181 days sees capture refused with Payment 98, not Merchant 37.
// Method: a live Kasse per engine with the job runner driven by hand (runOnce), its fake clock moved forward.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deactivateIdleTestSalesUnits } from '../../src/core/merchants/idle-test-units.ts';
import { readAuditLog } from '../../src/core/operators/audit.ts';
import { DAY_MS, MINUTE_MS } from '../../src/domain/clock.ts';
import { testDialects } from '../support/databases.ts';
import { PRODUCTION_ADMIN_TOKEN, startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, type Credentials } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

const MERCHANT_37 = {
  status: 403,
  group: 'Merchant',
  code: '37',
  message: 'The merchant and/or sales unit is unavailable, deleted, deactivated or blocked for payments.',
};

for (const dialect of testDialects()) {
  describe(`idle test sales units in production mode (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false, adminToken: PRODUCTION_ADMIN_TOKEN, config: { mode: 'production', idleTestUnitDays: 30 } });
    });
    after(() => k.close());

    const admin = (path: string, method = 'GET', body?: unknown) =>
      httpRequest(`${k.baseUrl}/_kasse/admin${path}`, { method, headers: { authorization: `Bearer ${PRODUCTION_ADMIN_TOKEN}` }, ...(body !== undefined ? { body } : {}) });
    /** A sales unit made by the operator API (production mode has no sandbox merchants), with its keys. */
    async function unit(merchantId: string, testUnit: boolean): Promise<Credentials> {
      const created = await admin(`/merchants/${merchantId}/sales-units`, 'POST', { name: testUnit ? 'Test unit' : 'Live unit', testUnit, rateLimits: false });
      assert.equal(created.status, 201, created.text);
      const keys = await admin(`/sales-units/${created.body.msn}/keys`, 'POST');
      return keys.body;
    }
    const statusOf = async (msn: string) => {
      const merchants = (await admin('/merchants')).body as Array<{ salesUnits: Array<{ msn: string; status: string }> }>;
      return merchants.flatMap((m) => m.salesUnits).find((u) => u.msn === msn)?.status;
    };
    const client = (credentials: Credentials) => new MerchantClient(k.baseUrl, credentials); // a fresh token after each move

    test('a test unit unused for 30 days is deactivated (37); a live unit and a recently used test unit are not; reactivation counts afresh', async () => {
      const merchant = await admin('/merchants', 'POST', { name: 'Integrator' });
      const idle = await unit(merchant.body.id, true);
      const live = await unit(merchant.body.id, false);
      const used = await unit(merchant.body.id, true);

      k.clock.advance(20 * DAY_MS);
      assert.equal((await client(used).initiate('recent-payment', 1000)).status, 200);
      k.clock.advance(10 * DAY_MS - MINUTE_MS);
      await k.kasse.jobs.runOnce();
      assert.equal(await statusOf(idle.merchantSerialNumber), 'active', 'one minute short of 30 days');

      k.clock.advance(2 * MINUTE_MS);
      await k.kasse.jobs.runOnce();
      assert.deepEqual(
        [await statusOf(idle.merchantSerialNumber), await statusOf(live.merchantSerialNumber), await statusOf(used.merchantSerialNumber)],
        ['deactivated', 'active', 'active'],
      );
      assertVippsError(await client(idle).initiate('after-idle', 1000), MERCHANT_37);
      assert.equal((await client(live).initiate('live-still-works', 1000)).status, 200);
      const [entry] = await readAuditLog(k.kasse.ctx, { subject: idle.merchantSerialNumber });
      assert.deepEqual([entry?.actorKind, entry?.actor, entry?.action, entry?.before, entry?.after], ['kasse', 'idle rule', 'sales-unit.deactivate', { status: 'active' }, { status: 'deactivated', idle_days: 30 }]);

      // The operator reactivates it on request: it works at once, and the next pass does not take it away again.
      assert.equal((await admin(`/sales-units/${idle.merchantSerialNumber}/reactivate`, 'POST')).status, 200);
      k.clock.advance(2 * MINUTE_MS);
      await k.kasse.jobs.runOnce();
      assert.equal(await statusOf(idle.merchantSerialNumber), 'active');
      assert.equal((await client(idle).initiate('after-reactivation', 1000)).status, 200);

      // 30 days after its last payment the used unit goes too.
      k.clock.advance(20 * DAY_MS);
      assert.equal(await deactivateIdleTestSalesUnits(k.kasse.ctx), 1);
      assert.equal(await statusOf(used.merchantSerialNumber), 'deactivated');
    });
  });

  describe(`the idle rule leaves sandbox time travel alone (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false, config: { idleTestUnitDays: 30 } });
    });
    after(() => k.close());

    test('a sandbox test merchant that travels 181 days sees capture refused with Payment 98, not Merchant 37', async () => {
      const merchant = await MerchantClient.create(k.baseUrl);
      await merchant.reserved('travels', 10_000);
      await k.advance(181 * DAY_MS);
      await k.kasse.jobs.runOnce();
      assert.equal(await deactivateIdleTestSalesUnits(k.kasse.ctx), 0, 'the rule does not run in sandbox mode');
      assertVippsError(await new MerchantClient(k.baseUrl, merchant.credentials).capture('travels', 1000), {
        status: 400,
        group: 'Payment',
        code: '98',
        message: 'Payments can only be captured up to 180 days after reservation. See the FAQ.',
      });
    });
  });
}
