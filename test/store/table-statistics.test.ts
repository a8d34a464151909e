// Property: a payment's locked read by its order (store/dialect.ts paymentForUpdate) reads that payment only, however
// many the merchant has, on a database whose tables were new when the read was planned. On PostgreSQL a plan made on
// the empty payment table (no statistics: a new database, autovacuum a minute away or off as on the CI machine) went
// through a merchant-wide portal index and, cached on the pooled connection, read every payment of the merchant on
// each call (~1,500 rows per read after a minute of load; bench/README.md, session 18); the job loop now analyzes
// tables that have no statistics (jobs/table-statistics.ts), which replaces such plans.
// Method: on PostgreSQL a connection of its own prepares the read on the empty table, with the plan fixed at its first
// run as a pooled connection's is after its fifth; 150 more payments; passes of the job loop until the payment table
// has statistics; the read explained (EXPLAIN ANALYZE EXECUTE on that connection) yields and filters out no payment
// but its own. On SQLite, which keeps no such statistics, the pass analyzes nothing and the read's plan names the
// (msn, order_id) index.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CompiledQuery } from 'kysely';
import { paymentForUpdate } from '../../src/store/dialect.ts';
import { MIN_CHANGED_ROWS } from '../../src/jobs/table-statistics.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { databaseUrlOf, pgPlanNodes, range, type PgPlanNode } from './support.ts';

const MORE_PAYMENTS = 150;

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let m: MerchantClient;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
      m = await MerchantClient.create(k.baseUrl);
    });
    after(() => k?.close());

    async function morePayments(): Promise<void> {
      for (let start = 0; start < MORE_PAYMENTS; start += 25) {
        await Promise.all(range(25).map(async (i) => assert.equal((await m.initiate(`more-${start + i}`, 1000)).status, 200)));
      }
    }

    test("a payment's locked read by order reads only that payment once the job loop has run", async () => {
      assert.ok(MORE_PAYMENTS >= MIN_CHANGED_ROWS, 'enough writes for the job to analyze the payment table');
      assert.equal((await m.initiate('first', 1000)).status, 200);
      const { compiled } = paymentForUpdate(k.kasse.store.db, dialect, m.msn, 'first');
      if (dialect === 'sqlite') {
        await morePayments();
        await k.kasse.jobs.runOnce();
        const stat1 = await k.kasse.store.db.executeQuery(CompiledQuery.raw(`SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'`));
        assert.equal(stat1.rows.length, 0, 'nothing analyzed');
        const plan = await k.kasse.store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
        const details = plan.rows.map((r) => r.detail).join('\n');
        assert.match(details, /SEARCH payment USING INDEX \S+ \(msn=\? AND order_id=\?\)/, details);
        return;
      }
      const client = new pg.Client({ connectionString: await databaseUrlOf(k) });
      await client.connect();
      try {
        await client.query('SET plan_cache_mode = force_generic_plan');
        await client.query({ text: `PREPARE locked_read AS ${compiled.sql}`, values: [] });
        // A utility statement takes no bind parameters: the values as literals.
        const execute = `EXECUTE locked_read(${compiled.parameters.map((value) => client.escapeLiteral(String(value))).join(', ')})`;
        assert.equal((await client.query(execute)).rowCount, 1, 'planned and run on the nearly empty table');
        await morePayments();
        // The server counts a backend's writes once that backend reports them (within a second or so): passes of
        // the job loop until one of its looks finds them.
        const analyzed = async () => (await client.query(`SELECT 1 FROM pg_stats WHERE tablename = 'payment'`)).rowCount! > 0;
        for (const deadline = performance.now() + 30_000; !(await analyzed()); ) {
          assert.ok(performance.now() < deadline, 'the job loop analyzed the payment table');
          await k.kasse.jobs.runOnce();
        }
        const explained = await client.query<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${execute}`);
        const plan = explained.rows[0]!['QUERY PLAN'][0]!.Plan;
        assert.equal(plan['Actual Rows'], 1, 'the payment was found');
        for (const node of pgPlanNodes(plan).filter((n) => n['Relation Name'] === 'payment')) {
          assert.ok((node['Actual Rows'] ?? 0) <= 1 && (node['Rows Removed by Filter'] ?? 0) === 0, JSON.stringify(node));
        }
      } finally {
        await client.end();
      }
    });
  });
}
