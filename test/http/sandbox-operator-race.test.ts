// Property: nodes starting at once on one database all come up with the one sandbox operator. Before, a node whose
// transaction looked for the account after another node had committed it stopped with "operator@kasse.test is already
// an operator" (seen in the scale-out test: three processes starting together on PostgreSQL).
// Method: on each engine, ensureSandboxOperator twice at once, in ten rounds, the account and its stored login removed
// between rounds; every call answers the same login, and exactly one created it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureSandboxOperator, SANDBOX_OPERATOR_EMAIL } from '../../src/core/sandbox/sandbox-operator.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

for (const dialect of testDialects()) {
  describe(`the sandbox operator on several nodes at once (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(() => k?.close());

    test('concurrent first starts agree on one operator; none fails', async () => {
      const db = k.kasse.store.db;
      for (let round = 0; round < 10; round++) {
        await db.deleteFrom('kasse_meta').where('key', '=', 'sandbox_operator_login').execute();
        await db.deleteFrom('web_account').where('kind', '=', 'operator').where('email', '=', SANDBOX_OPERATOR_EMAIL).execute();
        const results = await Promise.all([ensureSandboxOperator(k.kasse.ctx), ensureSandboxOperator(k.kasse.ctx)]);
        assert.equal(results.filter((r) => r.created).length, 1, `round ${round}: one call created it`);
        assert.deepEqual(results[0].login, results[1].login, `round ${round}: the same login`);
      }
    });
  });
}
