// Property: inside a use case's transaction the store's own database handle refuses to serve, so a use case can only
// reach the data through its transaction. Before, on SQLite a query on the store's handle inside a transaction waited
// forever for the connection the transaction held (or, with the read connection, read without the transaction's own
// writes), and a nested transaction waited for the batch it was part of.
// Method: real use-case contexts on both engines; the wrong handle is used on purpose inside inTransaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inTransaction } from '../../src/core/transaction.ts';
import { DatabaseHandleInsideTransaction } from '../../src/store/transaction-scope.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

// On for every test process (scripts/run-tests.mjs); set here too, so that this file run alone checks the same.
process.env.KASSE_CHECK_TRANSACTION_SCOPE = 'on';

for (const dialect of testDialects()) {
  describe(`the store's handle inside a transaction (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(async () => k.close());

    test('a query on the store handle inside a transaction fails at once, and the transaction rolls back', async () => {
      const { ctx } = k.kasse;
      await assert.rejects(
        inTransaction(ctx, async ({ trx, nowMs }) => {
          await trx.insertInto('kasse_meta').values({ key: 'scope-test', value: String(nowMs) }).execute();
          await ctx.store.db.selectFrom('kasse_meta').selectAll().execute();
        }),
        DatabaseHandleInsideTransaction,
      );
      const row = await ctx.store.db.selectFrom('kasse_meta').selectAll().where('key', '=', 'scope-test').executeTakeFirst();
      assert.equal(row, undefined, 'nothing of the failed transaction committed');
    });

    test('a nested transaction on the store inside a transaction fails at once instead of waiting for itself', async () => {
      const { ctx } = k.kasse;
      await assert.rejects(
        inTransaction(ctx, async () => {
          await inTransaction(ctx, async ({ trx }) => trx.selectFrom('kasse_meta').selectAll().execute());
        }),
        DatabaseHandleInsideTransaction,
      );
    });

    test('outside a transaction, and through the transaction inside one, the same queries work', async () => {
      const { ctx } = k.kasse;
      await ctx.store.db.selectFrom('kasse_meta').selectAll().execute();
      const rows = await inTransaction(ctx, ({ trx }) => trx.selectFrom('kasse_meta').selectAll().execute());
      assert.ok(rows.length > 0);
    });
  });
}
