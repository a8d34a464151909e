// Goal: the outbox delivers each callback at most once per attempt and ends every row delivered or dead (O2, O3). Method: jobs stopped, OutboundDispatcher instances driven by hand against a local receiver, time moved on the fake clock; per dialect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AppContext } from '../../src/core/context.ts';
import { OutboundDispatcher, retryDelayMs } from '../../src/jobs/outbound-dispatcher.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { claimDueOutboxRows, recordAttempt, recordAttempts } from '../../src/store/dialect.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { testDialects } from '../support/databases.ts';
import { ADMIN_TOKEN, startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { countBy, databaseUrlOf, range } from './support.ts';

const HOUR_MS = 3_600_000;

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let receiver: CallbackReceiver;
    /** A second node's context: on PostgreSQL its own connection pool; SQLite mode is one process, one connection. */
    let otherNode: AppContext;
    let otherStore: Store | null = null;
    /** Receiver status per callback path prefix (each test uses its own), given the 1-based number of the request there. */
    const behaviours = new Map<string, (nth: number) => number>();

    before(async () => {
      // A generous timeout: these tests are about claims and leases, not about slow merchants, and a loaded
      // CI machine must not turn a slow local receiver into a dead row.
      k = await startTestKasse({ dialect, startJobs: false, config: { callbackTimeoutMs: 30_000 } });
      receiver = await new CallbackReceiver().start();
      receiver.behave = (request) => {
        const prefix = `/${request.url.split('/')[1] ?? ''}`;
        const nth = receiver.requests.filter((r) => r.url.startsWith(`${prefix}/`)).length;
        return { status: behaviours.get(prefix)?.(nth) ?? 200 };
      };
      if (dialect === 'postgres') otherStore = await openStore(await databaseUrlOf(k));
      otherNode = { ...k.kasse.ctx, store: otherStore ?? k.kasse.store };
    });
    after(async () => {
      await otherStore?.close();
      await receiver.close();
      await k.close();
    });

    const requestsTo = (prefix: string) => receiver.requests.filter((r) => r.url.startsWith(`${prefix}/`));

    /** Initiate and approve `count` payments whose callbacks go to `prefix` on the receiver. */
    async function approvedPayments(m: MerchantClient, prefix: string, count: number): Promise<string[]> {
      const orderIds = range(count).map((i) => `${prefix.slice(1)}-${i}`);
      for (let start = 0; start < count; start += 20) {
        await Promise.all(
          orderIds.slice(start, start + 20).map(async (orderId) => {
            const initiated = await m.initiate(orderId, 1000, { merchantInfo: { callbackPrefix: `${receiver.url}${prefix}` } });
            assert.equal(initiated.status, 200, initiated.text);
            const approved = await m.approve(orderId, initiated.body.url);
            assert.equal(approved.status, 200, approved.text);
          }),
        );
      }
      return orderIds;
    }

    async function rowsOf(msn: string) {
      return k.kasse.store.db.selectFrom('outbox').selectAll().where('msn', '=', msn).orderBy('id').execute();
    }

    async function attemptsOf(outboxId: number) {
      return k.kasse.store.db.selectFrom('callback_attempt').selectAll().where('outbox_id', '=', outboxId).orderBy('attempt_no').execute();
    }

    test('two dispatchers draining 100 callbacks at once deliver each exactly once, one attempt per row', async (t) => {
      const m = await MerchantClient.create(k.baseUrl);
      const orderIds = await approvedPayments(m, '/two', 100);
      assert.equal(requestsTo('/two').length, 0, 'nothing is sent while the jobs are stopped');
      const first = new OutboundDispatcher(k.kasse.ctx);
      const second = new OutboundDispatcher(otherNode);
      const [a, b] = await Promise.all([first.runDue(), second.runDue()]);
      t.diagnostic(`attempts by dispatcher: ${a} + ${b}`);
      assert.equal(a + b, 100);
      const perOrder = countBy(requestsTo('/two'), (r) => r.url.split('/').at(-1) ?? '');
      assert.deepEqual(Object.keys(perOrder).sort(), [...orderIds].sort());
      assert.ok(Object.values(perOrder).every((n) => n === 1), 'each callback arrived once');
      const rows = await rowsOf(m.msn);
      assert.equal(rows.length, 100);
      for (const row of rows) {
        assert.equal(row.state, 'delivered');
        assert.equal(row.attempts, 1);
        assert.equal(row.lease_owner, null);
        const attempts = await attemptsOf(row.id);
        assert.equal(attempts.length, 1);
        assert.equal(attempts[0]?.http_status, 200);
      }
      // O3: a delivered row is never sent again, however much time passes.
      k.clock.advance(HOUR_MS);
      assert.equal((await Promise.all([first.runDue(), second.runDue()])).reduce((x, y) => x + y), 0);
      assert.equal(requestsTo('/two').length, 100);
    });

    test('40 concurrent claims of 10 over 200 due rows, from two nodes, hand out disjoint sets that cover every row', async (t) => {
      const msn = '99999';
      const nowMs = k.clock.nowMs();
      const template = {
        msn,
        payment_id: null,
        order_id: null,
        kind: 'claim_stress',
        method: 'POST',
        url: `${receiver.url}/never-sent`,
        headers_json: '{}',
        body_json: null,
        timeout_ms: 1000,
        state: 'pending' as const,
        attempts: 0,
        max_attempts: 1,
        lease_owner: null,
        lease_until_ms: null,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
      };
      await k.kasse.store.db
        .insertInto('outbox')
        .values(range(200).map((i) => ({ ...template, next_attempt_at_ms: nowMs - (i % 7) })))
        .execute();
      try {
        const nodes = [k.kasse.store, otherNode.store];
        const claims = await Promise.all(
          range(40).map((i) => {
            const store = nodes[i % 2] ?? k.kasse.store;
            return claimDueOutboxRows(store.db, store.kind, { owner: `claimer-${i}`, nowMs, leaseMs: 30_000, limit: 10 });
          }),
        );
        const ids = claims.flat().filter((row) => row.msn === msn).map((row) => row.id);
        t.diagnostic(`rows per claim: ${JSON.stringify(countBy(claims, (c) => String(c.length)))}`);
        assert.equal(new Set(ids).size, ids.length, 'no row was handed to two claimers');
        assert.equal(ids.length, 200, 'every due row was claimed');
        const owners = await k.kasse.store.db.selectFrom('outbox').select(['id', 'lease_owner']).where('msn', '=', msn).execute();
        const ownerOf = new Map(claims.flatMap((c, i) => c.map((row) => [row.id, `claimer-${i}`] as const)));
        for (const row of owners) assert.equal(row.lease_owner, ownerOf.get(row.id), `row ${row.id} is leased by the claimer that got it`);
      } finally {
        await k.kasse.store.db.deleteFrom('outbox').where('msn', '=', msn).execute();
      }
    });

    test("a row leased by a worker that crashed is retried once its lease lapses, and the crashed worker's late result is refused", async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const [orderId] = await approvedPayments(m, '/lease', 1);
      const leaseMs = 30_000;
      const claimed = await claimDueOutboxRows(k.kasse.store.db, k.kasse.store.kind, { owner: 'crashed-worker', nowMs: k.clock.nowMs(), leaseMs, limit: 10 });
      const stale = claimed.find((row) => row.order_id === orderId);
      assert.ok(stale, 'the crashed worker held the row');
      const dispatcher = new OutboundDispatcher(k.kasse.ctx);
      assert.equal(await dispatcher.runDue(), 0, 'a leased row is not taken');
      k.clock.advance(leaseMs);
      assert.equal(await dispatcher.runDue(), 0, 'still leased at exactly lease_until');
      k.clock.advance(1);
      assert.equal(await dispatcher.runDue(), 1, 'taken once the lease lapsed');
      assert.equal(requestsTo('/lease').length, 1);
      const [row] = await rowsOf(m.msn);
      assert.equal(row?.state, 'delivered');
      assert.equal(row?.attempts, 1);
      // The crashed worker comes back and tries to record its own attempt: the lease guard refuses it.
      const nowMs = k.clock.nowMs();
      const recorded = await recordAttempt(k.kasse.store.db, k.kasse.store.kind, {
        row: stale,
        owner: 'crashed-worker',
        startedAtMs: nowMs,
        latencyMs: 1,
        httpStatus: 500,
        responseExcerpt: null,
        error: null,
        nextState: 'dead',
        nextAttemptAtMs: nowMs,
        nowMs,
      });
      assert.equal(recorded, false);
      assert.equal((await rowsOf(m.msn))[0]?.state, 'delivered');
      assert.equal((await attemptsOf(stale.id)).length, 1);
    });

    test('attempts recorded together are each guarded by their own lease: a worker that lost one row records the others', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const orderIds = await approvedPayments(m, '/together', 3);
      const claimed = (await claimDueOutboxRows(k.kasse.store.db, k.kasse.store.kind, { owner: 'worker-a', nowMs: k.clock.nowMs(), leaseMs: 30_000, limit: 50 })).filter(
        (row) => row.msn === m.msn,
      );
      assert.deepEqual(claimed.map((row) => row.order_id).sort(), [...orderIds].sort());
      const nowMs = k.clock.nowMs();
      const records = claimed.map((row, i) => ({
        row,
        // The second is recorded by a worker that does not hold its lease (worker-a does).
        owner: i === 1 ? 'worker-b' : 'worker-a',
        startedAtMs: nowMs,
        latencyMs: 2,
        httpStatus: 200,
        responseExcerpt: null,
        error: null,
        nextState: 'delivered' as const,
        nextAttemptAtMs: row.next_attempt_at_ms,
        nowMs,
      }));
      const recorded = await k.kasse.store.atomicWrite((db) => recordAttempts(db, k.kasse.store.kind, records));
      assert.deepEqual(recorded, [true, false, true]);
      const rows = new Map((await rowsOf(m.msn)).map((row) => [row.id, row]));
      for (const [i, row] of claimed.entries()) {
        assert.equal(rows.get(row.id)?.state, i === 1 ? 'pending' : 'delivered');
        assert.equal((await attemptsOf(row.id)).length, i === 1 ? 0 : 1);
      }
      assert.equal(requestsTo('/together').length, 0, 'nothing was sent: the records alone were tested');
      // The row left leased would fall due to the dispatchers of the tests that follow.
      await k.kasse.store.db.deleteFrom('outbox').where('id', '=', claimed[1]!.id).execute();
    });

    test('callbackMaxAttempts 3: a merchant answering 500 gets 3 attempts with exponential backoff, then the row is dead', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const patched = await httpRequest(`${k.baseUrl}/_kasse/admin/sales-units/${m.msn}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: { callbackMaxAttempts: 3 },
      });
      assert.equal(patched.status, 200, patched.text);
      behaviours.set('/retry', () => 500);
      await approvedPayments(m, '/retry', 1);
      const dispatcher = new OutboundDispatcher(k.kasse.ctx);
      const t0 = k.clock.nowMs();
      const snapshots: Array<{ attempts: number; next: number; state: string }> = [];
      const snapshot = async () => {
        const [row] = await rowsOf(m.msn);
        assert.ok(row);
        snapshots.push({ attempts: row.attempts, next: row.next_attempt_at_ms, state: row.state });
        return row;
      };
      assert.equal((await snapshot()).max_attempts, 3);
      assert.equal(await dispatcher.runDue(), 1);
      await snapshot();
      for (const attemptsMade of [1, 2]) {
        const wait = retryDelayMs(attemptsMade);
        k.clock.advance(wait - 1);
        assert.equal(await dispatcher.runDue(), 0, `no attempt before the ${wait} ms backoff ends`);
        k.clock.advance(1);
        assert.equal(await dispatcher.runDue(), 1, `attempt ${attemptsMade + 1} once the backoff ended`);
        await snapshot();
      }
      k.clock.advance(24 * HOUR_MS);
      assert.equal(await dispatcher.runDue(), 0, 'a dead row is not sent again');
      const final = await snapshot();
      assert.equal(final.state, 'dead');
      assert.equal(final.attempts, 3);
      assert.equal(requestsTo('/retry').length, 3);
      const attempts = await attemptsOf(final.id);
      assert.deepEqual(
        attempts.map((a) => [a.attempt_no, a.started_at_ms - t0, a.http_status]),
        [
          [1, 0, 500],
          [2, retryDelayMs(1), 500],
          [3, retryDelayMs(1) + retryDelayMs(2), 500],
        ],
      );
      // O3: attempts and next_attempt_at never go backwards.
      for (const [previous, next] of snapshots.slice(1).map((s, i) => [snapshots[i], s] as const)) {
        assert.ok(previous && next.attempts >= previous.attempts && next.next >= previous.next, JSON.stringify(snapshots));
      }
    });

    test('callbackMaxAttempts 3: a row that succeeds on the second attempt is delivered and never sent again', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await httpRequest(`${k.baseUrl}/_kasse/admin/sales-units/${m.msn}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: { callbackMaxAttempts: 3 },
      });
      behaviours.set('/second', (nth) => (nth === 1 ? 500 : 200));
      await approvedPayments(m, '/second', 1);
      const dispatcher = new OutboundDispatcher(k.kasse.ctx);
      assert.equal(await dispatcher.runDue(), 1);
      k.clock.advance(retryDelayMs(1));
      assert.equal(await dispatcher.runDue(), 1);
      k.clock.advance(24 * HOUR_MS);
      assert.equal(await dispatcher.runDue(), 0);
      const [row] = await rowsOf(m.msn);
      assert.equal(row?.state, 'delivered');
      assert.equal(row?.attempts, 2);
      assert.deepEqual((await attemptsOf(row.id)).map((a) => a.http_status), [500, 200]);
      assert.equal(requestsTo('/second').length, 2);
    });

    test('the default sales unit makes exactly one attempt: a 500 leaves the row dead, with no retry', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      behaviours.set('/once', () => 500);
      await approvedPayments(m, '/once', 1);
      const dispatcher = new OutboundDispatcher(k.kasse.ctx);
      assert.equal(await dispatcher.runDue(), 1);
      k.clock.advance(24 * HOUR_MS);
      assert.equal(await dispatcher.runDue(), 0);
      const [row] = await rowsOf(m.msn);
      assert.equal(row?.max_attempts, 1);
      assert.equal(row?.state, 'dead');
      assert.equal(row?.attempts, 1);
      assert.deepEqual((await attemptsOf(row.id)).map((a) => a.http_status), [500]);
      assert.equal(requestsTo('/once').length, 1);
    });
  });
}
