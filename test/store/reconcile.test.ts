// Goal: reconciliation finds nothing on a healthy database and names each violation on a tampered one.
// Method: run a mixed workload over HTTP on each dialect, reconcile, then break the data behind Kasse's back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

async function mixedWorkload(kasse: TestKasse): Promise<MerchantClient> {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  await merchant.reserved('full', 10_000);
  await merchant.capture('full', null, 'c-full');
  await merchant.refund('full', 2_500, 'r-full');
  await merchant.reserved('partial', 10_000);
  await merchant.capture('partial', 4_000, 'c-partial');
  await merchant.cancel('partial', true);
  await merchant.reserved('voided', 5_000);
  await merchant.cancel('voided');
  await merchant.initiate('expired', 3_000);
  await kasse.advance(6 * 60_000);
  return merchant;
}

for (const dialect of testDialects()) {
  describe(`reconciliation on ${dialect}`, () => {
    let kasse: TestKasse;
    before(async () => {
      kasse = await startTestKasse({ dialect });
    });
    after(() => kasse.close());

    test('a healthy database after a mixed workload has no violations', async () => {
      await mixedWorkload(kasse);
      const report = await reconcile(kasse.kasse.store);
      assert.deepEqual(report.violations, []);
      assert.equal(report.ok, true);
      assert.ok(report.checked.payments >= 4 && report.checked.ledgerLines > 0);
    });

    test('an unbalanced ledger entry and a payment row changed behind the log are both named', async () => {
      const merchant = await mixedWorkload(kasse);
      const { db } = kasse.kasse.store;
      const payment = await db.selectFrom('payment').selectAll().where('msn', '=', merchant.msn).where('order_id', '=', 'full').executeTakeFirstOrThrow();
      const entry = await db.selectFrom('ledger_entry').select(['id', 'operation_id']).where('payment_id', '=', payment.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      await db
        .insertInto('ledger_line')
        .values({ entry_id: entry.id, operation_id: entry.operation_id, payment_id: payment.id, msn: payment.msn, account: 'merchant_payable', amount_ore: 1, created_at_ms: 0 })
        .execute();
      await db.updateTable('payment').set({ refunded_ore: sql`refunded_ore + 1` }).where('id', '=', payment.id).execute();

      const report = await reconcile(kasse.kasse.store);
      assert.equal(report.ok, false);
      const found = new Set(report.violations.map((v) => v.invariant));
      for (const invariant of ['L1', 'P4', 'L3']) assert.ok(found.has(invariant), `expected a ${invariant} violation in ${JSON.stringify(report.violations)}`);
      assert.ok(report.violations.every((v) => v.subject.length > 0 && v.detail.length > 0));
    });
  });
}

test('npx kasse reconcile exits 0 on a healthy database, and 1 naming the violation on a broken one', async () => {
  const kasse = await startTestKasse();
  const run = async () => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/kasse.mjs', 'reconcile'], {
        env: { ...process.env, DATABASE_URL: kasse.databaseUrl },
      });
      return { code: 0, report: JSON.parse(stdout) };
    } catch (error) {
      const failure = error as { code: number; stdout: string };
      return { code: failure.code, report: JSON.parse(failure.stdout) };
    }
  };
  try {
    await mixedWorkload(kasse);
    const healthy = await run();
    assert.equal(healthy.code, 0);
    assert.equal(healthy.report.ok, true);
    const entry = await kasse.kasse.store.db.selectFrom('ledger_entry').select(['id', 'operation_id', 'payment_id', 'msn']).executeTakeFirstOrThrow();
    await kasse.kasse.store.db
      .insertInto('ledger_line')
      .values({ entry_id: entry.id, operation_id: entry.operation_id, payment_id: entry.payment_id, msn: entry.msn, account: 'reservations', amount_ore: 7, created_at_ms: 0 })
      .execute();
    const broken = await run();
    assert.equal(broken.code, 1);
    assert.ok(broken.report.violations.some((v: { invariant: string }) => v.invariant === 'L1'));
  } finally {
    await kasse.close();
  }
});
