// Property: a pass of the job loop reads only what is due. Each of its queries on payment, card_hold, card_credit and
// outbox is an index range on the row's time column, so its cost does not grow with the rows that are not due (open
// reservations, future refunds, delayed callbacks). The loop runs every 250 ms on every node; findDueHolds written
// as `lapses OR settles` read every held hold on each pass, on both engines (bench/README.md, change 3).
// Method: 300 held holds, 300 future card credits and 300 delayed outbox rows, none due; the statements of one job
// pass captured with a Kysely plugin and explained: on SQLite no SCAN of those tables and every index SEARCH bounded
// on a `…_ms` column; on PostgreSQL (sequential scans disabled, EXPLAIN ANALYZE) no Seq Scan and no row of those
// tables read and then filtered away.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { AppContext } from '../../src/core/context.ts';
import { processDueBankWork } from '../../src/core/banks/bank-operations.ts';
import { CALLBACK_KIND } from '../../src/core/callbacks/merchant-calls.ts';
import { expireDuePayments } from '../../src/core/payments/expire.ts';
import { OutboundDispatcher } from '../../src/jobs/outbound-dispatcher.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { paymentRow, pgPlanNodes, range, type PgPlanNode } from './support.ts';

const WATCHED_TABLES = ['payment', 'card_hold', 'card_credit', 'outbox'];
const NOT_DUE = 300;
const FAR_FUTURE_MS = 4_000_000_000_000;

class RolledBack extends Error {}

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
      const m = await MerchantClient.create(k.baseUrl);
      await m.reserved('plans', 10_000);
      await k.kasse.jobs.drain(); // its RESERVED callback: from here on nothing is due
      const payment = await paymentRow(k.kasse.store.db, m.msn, 'plans');
      const row = { payment_id: payment.id, msn: payment.msn, created_at_ms: 0 };
      await k.kasse.store.db
        .insertInto('card_hold')
        .values(range(NOT_DUE).map(() => ({ ...row, card_id: payment.card_id!, amount_ore: 100, captured_ore: 0, status: 'held', lapses_at_ms: FAR_FUTURE_MS, updated_at_ms: 0 })))
        .execute();
      await k.kasse.store.db
        .insertInto('card_credit')
        .values(range(NOT_DUE).map(() => ({ ...row, card_id: payment.card_id!, amount_ore: 100, due_at_ms: FAR_FUTURE_MS })))
        .execute();
      await k.kasse.store.db
        .insertInto('outbox')
        .values(
          range(NOT_DUE).map((i) => ({
            ...row,
            order_id: 'plans',
            kind: CALLBACK_KIND,
            method: 'POST',
            url: `http://127.0.0.1:9/cb/${i}`,
            headers_json: '{}',
            body_json: '{}',
            state: 'pending',
            attempts: 0,
            max_attempts: 1,
            next_attempt_at_ms: FAR_FUTURE_MS,
            timeout_ms: 1_000,
            delayed: 1,
            updated_at_ms: 0,
          })),
        )
        .execute();
    });
    after(() => k?.close());

    test('every query of a job pass is an index range on a time column, reading no row that is not due', async () => {
      const captured = new Map<string, CompiledQuery>();
      const db = k.kasse.store.db;
      const capture: KyselyPlugin = {
        transformQuery: ({ node, queryId }) => {
          const compiled = db.getExecutor().compileQuery(node as RootOperationNode, queryId);
          captured.set(compiled.sql, compiled);
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const ctx: AppContext = { ...k.kasse.ctx, store: { ...k.kasse.store, db: db.withPlugin(capture) } };
      assert.equal(await expireDuePayments(ctx), 0);
      assert.equal(await processDueBankWork(ctx), 0);
      assert.equal(await new OutboundDispatcher(ctx).runDue(), 0);

      const watched = [...captured.values()].filter((q) => WATCHED_TABLES.some((t) => new RegExp(`\\b(from|update)\\s+"?${t}"?\\b`, 'i').test(q.sql)));
      assert.ok(watched.length >= 4, `the job pass ran ${watched.length} queries on the watched tables`);
      for (const query of watched) {
        if (dialect === 'sqlite') {
          const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
          for (const { detail } of plan.rows) {
            assert.doesNotMatch(detail, new RegExp(`^SCAN (${WATCHED_TABLES.join('|')})\\b`), `${query.sql}\n${detail}`);
            if (/^SEARCH (payment|card_hold|card_credit|outbox) USING INDEX/.test(detail)) assert.match(detail, /\w+_ms<\?/, `${query.sql}\n${detail}`);
          }
        } else {
          // EXPLAIN ANALYZE runs the statement (the claim is an UPDATE): inside a transaction that is rolled back.
          await db
            .transaction()
            .execute(async (trx) => {
              await trx.executeQuery(CompiledQuery.raw('SET LOCAL enable_seqscan = off'));
              const { rows } = await trx.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(
                CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, [...query.parameters]),
              );
              for (const n of pgPlanNodes(rows[0]!['QUERY PLAN'][0]!.Plan).filter((n) => WATCHED_TABLES.includes(n['Relation Name'] ?? ''))) {
                const what = `${query.sql}\n${JSON.stringify(n)}`;
                assert.notEqual(n['Node Type'], 'Seq Scan', what);
                assert.equal(n['Rows Removed by Filter'] ?? 0, 0, what);
              }
              throw new RolledBack();
            })
            .catch((error: unknown) => {
              if (!(error instanceof RolledBack)) throw error;
            });
        }
      }
    });
  });
}
