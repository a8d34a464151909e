// Goal: `kasse sales-units settlement` sets a sales unit's settlement terms straight in the database, and the next
// captures carry them: fees per capture, gross or net, the payout frequency. Bad terms are a usage error (exit 2) or
// a refusal naming the field (exit 1), an unknown MSN exit 1; nothing changes then. Method: the real CLI
// (bin/kasse.mjs) against the database of a live Kasse, on SQLite and PostgreSQL; a sale, the clock moved through the
// sandbox endpoint, the fees read back from the Report API and the settlement list.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { testDialects } from '../support/databases.ts';
import { startTestKasse } from '../support/harness.ts';
import { SettlementMerchant, assertReconciled, moveTo } from '../scenario/settlement-support.ts';

async function kasseCli(databaseUrl: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/kasse.mjs', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

for (const dialect of testDialects()) {
  describe(`kasse sales-units settlement on ${dialect}`, () => {
    test('sets fees, gross and weekly payouts that the next captures carry; bad terms and unknown units change nothing', async () => {
      const kasse = await startTestKasse({ dialect, startJobs: false }); // Monday 2026-01-05 11:00 Oslo
      try {
        const shop = await SettlementMerchant.create(kasse);
        const set = await kasseCli(kasse.databaseUrl, [
          'sales-units', 'settlement', shop.msn,
          '--fee-basis-points', '250', '--fee-fixed-ore', '100', '--settlement-type', 'gross', '--payout-frequency', 'weekly',
        ]);
        assert.equal(set.code, 0, set.stderr);
        const unit = JSON.parse(set.stdout);
        assert.deepEqual([unit.msn, unit.fee_basis_points, unit.fee_fixed_ore, unit.settlement_type, unit.payout_frequency], [shop.msn, 250, 100, 'gross', 'weekly']);

        const usage = await kasseCli(kasse.databaseUrl, ['sales-units', 'settlement', shop.msn, '--settlement-type', 'both']);
        assert.deepEqual([usage.code, /--settlement-type is net or gross/.test(usage.stderr)], [2, true], usage.stderr);
        const refused = await kasseCli(kasse.databaseUrl, ['sales-units', 'settlement', shop.msn, '--fee-basis-points', '10001']);
        assert.deepEqual([refused.code, /feeBasisPoints/.test(refused.stderr)], [1, true], refused.stderr);
        const unknown = await kasseCli(kasse.databaseUrl, ['sales-units', 'settlement', '999999999', '--fee-basis-points', '1']);
        assert.deepEqual([unknown.code, /does not exist/.test(unknown.stderr)], [1, true], unknown.stderr);

        await shop.sell(10_000); // fee: 2.5 % = 250 + 100 fixed
        await moveTo(kasse, '2026-01-06T12:00');
        const fees = await shop.report('2026-01-05', 'fees');
        assert.deepEqual(fees.items.map((i) => [i.entryType, i.amount]), [['capture-fee', 350]], 'gross: fees are invoiced monthly, not retained');
        assert.deepEqual(await shop.settlements(), [], 'weekly: Monday waits for Sunday’s close');
        await moveTo(kasse, '2026-01-12T12:00');
        const [settlement] = await shop.settlements();
        assert.deepEqual([settlement.ledgerDateFrom, settlement.ledgerDateTo, settlement.settlementType, settlement.feeAmount, settlement.payoutAmount], ['2026-01-05', '2026-01-11', 'gross', 350, 10_000]);
        await assertReconciled(kasse);
      } finally {
        await kasse.close();
      }
    });
  });
}
