// Property: `/details` and `/status` read their payment's operations only, however many the merchant has. The read
// (findCorePaymentWithLog, and findPaymentWithLog for the portal: the payment and its log in one statement) reached the log through `o.msn = payment.msn AND
// o.payment_id = payment.id`; on PostgreSQL tables without statistics (a new database, or autovacuum off as on the CI
// machine) the planner ANDed the merchant-wide (msn, created_at_ms) index into a bitmap scan, reading every
// operation of the merchant on each call (4 ms at 16,000 operations; bench/README.md, session 12).
// Method: one reserved payment (2 operations) beside 16,000 operations of another payment of the same merchant, tables
// not analyzed; the read's statement captured with a Kysely plugin and explained: on PostgreSQL (EXPLAIN ANALYZE) no
// plan node over payment_operation or its indexes yields more rows than the payment has operations; on SQLite the
// plan names neither the merchant-wide index nor a scan of payment_operation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { findCorePaymentWithLog, findPaymentWithLog } from '../../src/store/dialect.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { paymentRow, pgPlanNodes, range, type PgPlanNode } from './support.ts';

const OTHER_OPERATIONS = 16_000;
const ROWS_PER_INSERT = 1_000;

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let msn: string;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
      const m = await MerchantClient.create(k.baseUrl);
      msn = m.msn;
      await m.reserved('read-me', 10_000);
      await m.reserved('busy', 10_000);
      const busy = await paymentRow(k.kasse.store.db, msn, 'busy');
      for (let from = 0; from < OTHER_OPERATIONS; from += ROWS_PER_INSERT) {
        await k.kasse.store.db
          .insertInto('payment_operation')
          .values(
            range(ROWS_PER_INSERT).map((i) => ({
              payment_id: busy.id,
              msn,
              seq: 100 + from + i,
              kind: 'capture',
              amount_ore: 1,
              transaction_text: 'many',
              request_id: `many-${from + i}`,
              created_at_ms: from + i,
              error_key: null,
            })),
          )
          .execute();
      }
    });
    after(() => k?.close());

    for (const [name, findWithLog] of [
      ['the details read (core payment)', findCorePaymentWithLog],
      ["the portal's read (payment view)", findPaymentWithLog],
    ] as const) {
      test(`${name} touches only its own payment operations`, async () => {
        const db = k.kasse.store.db;
        let statement: CompiledQuery | undefined;
        const capture: KyselyPlugin = {
          transformQuery: ({ node, queryId }) => {
            statement = db.getExecutor().compileQuery(node as RootOperationNode, queryId);
            return node;
          },
          transformResult: async ({ result }) => result,
        };
        const read = await findWithLog(db.withPlugin(capture), msn, 'read-me');
        assert.equal(read?.log.length, 2, 'initiate and reserve');
        assert.ok(statement, 'the read ran one statement');
        // A prepared statement compiles once with named markers for its values (src/store/prepared.ts): bind them here.
        const values: Record<string, unknown> = { msn, orderId: 'read-me' };
        const parameters = statement.parameters.map((p) => (typeof p === 'object' && p !== null && 'name' in p ? values[String(p.name)] : p));

        if (dialect === 'sqlite') {
          const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${statement.sql}`, parameters));
          const details = plan.rows.map((r) => r.detail).join('\n');
          assert.doesNotMatch(details, /payment_operation_portal_days|SCAN (payment_operation|o)\b/, details);
        } else {
          const { rows } = await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(
            CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, parameters),
          );
          const plan = rows[0]!['QUERY PLAN'][0]!.Plan;
          assert.equal(plan['Actual Rows'], 1, 'the payment was found');
          const overOperations = pgPlanNodes(plan).filter(
            (n) => n['Relation Name'] === 'payment_operation' || (n['Index Name'] ?? '').startsWith('payment_operation'),
          );
          assert.ok(overOperations.length > 0, 'the plan reads payment_operation');
          for (const n of overOperations) assert.ok((n['Actual Rows'] ?? 0) <= 2, JSON.stringify(n));
        }
      });
    }
  });
}
