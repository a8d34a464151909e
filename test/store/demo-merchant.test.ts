// Property: the demo merchant of a sandbox's first start exists exactly once or not at all. A start killed half-way
// through creating it left a merchant (and sales unit) with no stored credentials, and the next start created another
// (found by the crash storm: a SIGKILL during the very first start). Several nodes starting at once on one database
// must agree on one demo merchant and print the same credentials.
// Method: a failure injected into the last insert of the creation (a Kysely plugin refusing the stored credentials),
// then a normal start; on PostgreSQL also four nodes (own connection pools) starting at the same moment.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InsertQueryNode, type KyselyPlugin } from 'kysely';
import type { AppContext } from '../../src/core/context.ts';
import { ensureDemoMerchant } from '../../src/core/sandbox/sandbox-merchants.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { databaseUrlOf } from './support.ts';

class Killed extends Error {}

/** Refuses inserts into `table`, as if the process died right before that statement. */
function dieBeforeInsertInto(table: string): KyselyPlugin {
  return {
    transformQuery: ({ node }) => {
      if (InsertQueryNode.is(node) && node.into?.table.identifier.name === table) throw new Killed(`killed before inserting into ${table}`);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
}

async function demoRows(k: TestKasse) {
  const db = k.kasse.store.db;
  const merchants = await db.selectFrom('merchant').select('id').where('name', '=', 'Kasse Demo Shop').execute();
  const units = await db.selectFrom('sales_unit').select('msn').where('merchant_id', 'in', merchants.length > 0 ? merchants.map((m) => m.id) : ['none']).execute();
  return { merchants: merchants.length, units: units.length };
}

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(() => k?.close());

    test('a first start that dies before storing the credentials leaves no demo merchant behind', async () => {
      const dying: AppContext = { ...k.kasse.ctx, store: { ...k.kasse.store, db: k.kasse.store.db.withPlugin(dieBeforeInsertInto('kasse_meta')) } };
      await assert.rejects(ensureDemoMerchant(dying), Killed);
      assert.deepEqual(await demoRows(k), { merchants: 0, units: 0 });

      const first = await ensureDemoMerchant(k.kasse.ctx);
      assert.equal(first.created, true);
      assert.deepEqual(await demoRows(k), { merchants: 1, units: 1 });
      const again = await ensureDemoMerchant(k.kasse.ctx);
      assert.deepEqual(again, { created: false, credentials: first.credentials, rateLimits: true });
      assert.deepEqual(await demoRows(k), { merchants: 1, units: 1 });
    });

    if (dialect === 'postgres') {
      test('nodes starting at once on one database create one demo merchant and print the same credentials', async () => {
        const url = await databaseUrlOf(k);
        await k.kasse.store.db.deleteFrom('kasse_meta').where('key', '=', 'demo_merchant_credentials').execute();
        for (const table of ['web_session', 'web_account', 'api_key', 'sales_unit', 'merchant'] as const) await k.kasse.store.db.deleteFrom(table).execute();
        const nodes: Store[] = [];
        for (let i = 0; i < 4; i++) nodes.push(await openStore(url));
        const results = await Promise.all(nodes.map((store) => ensureDemoMerchant({ ...k.kasse.ctx, store }))).finally(() =>
          Promise.all(nodes.map((store) => store.close())),
        );
        assert.equal(results.filter((r) => r.created).length, 1);
        assert.ok(results.every((r) => JSON.stringify(r.credentials) === JSON.stringify(results[0]!.credentials)));
        assert.deepEqual(await demoRows(k), { merchants: 1, units: 1 });
      });
    }
  });
}
