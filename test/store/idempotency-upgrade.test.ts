// Property: an X-Request-Id answered before the upgrade that made the idempotency store keep domain results (migration
// 0007) still replays the identical answer with no second effect (P5 across the upgrade), for answers and refusals.
// Method: real captures and refusals with keys; their stored outcomes are put back into the old form (the ecomm v2
// answer itself, or the old refusal shape) the way the code before wrote them; the migration runs; the same requests
// are retried. A later capture moves the payment on first, so a replay that re-read the payment would differ.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { domainIdempotencyOutcomes } from '../../src/store/migrations/0007_domain_idempotency_outcomes.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

for (const dialect of testDialects()) {
  describe(`idempotent answers stored before migration 0007 (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(async () => k.close());

    test('a capture answered before the upgrade replays the same body after it, with no second capture', async () => {
      const merchant = await MerchantClient.create(k.baseUrl);
      const initiated = await merchant.initiate('upgrade-1', 10_000);
      assert.equal((await merchant.approve('upgrade-1', initiated.body.url)).status, 200);
      const first = await merchant.capture('upgrade-1', 3_000, 'cap-before');
      assert.equal(first.status, 200, first.text);
      const refused = await merchant.refund('upgrade-1', 9_000, 'ref-before');
      assert.equal(refused.status, 400);
      const db = k.kasse.store.db;
      const legacy = async (operation: string, requestId: string, outcome: unknown) =>
        db
          .updateTable('idempotency_key')
          .set({ outcome_json: JSON.stringify(outcome) })
          .where('msn', '=', merchant.msn)
          .where('request_id', '=', requestId)
          .where('operation', '=', operation)
          .execute();
      await legacy('capture', 'cap-before', { ok: true, value: first.body });
      await legacy('refund', 'ref-before', { ok: false, key: 'refund_exceeds_captured', message: refused.body[0].errorMessage });
      assert.equal((await merchant.capture('upgrade-1', 2_000, 'cap-later')).status, 200, 'the payment moved on since');

      await domainIdempotencyOutcomes().up(db);

      const again = await merchant.capture('upgrade-1', 3_000, 'cap-before');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body);
      const refusedAgain = await merchant.refund('upgrade-1', 9_000, 'ref-before');
      assert.equal(refusedAgain.status, 400);
      assert.deepEqual(
        refusedAgain.body.map(({ contextId: _c, ...rest }: { contextId: string }) => rest),
        refused.body.map(({ contextId: _c, ...rest }: { contextId: string }) => rest),
      );
      const details = await merchant.details('upgrade-1');
      assert.equal(details.body.transactionSummary.capturedAmount, 5_000, 'two captures, not three');
    });
  });
}
