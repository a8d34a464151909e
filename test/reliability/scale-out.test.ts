// Goal: several Kasse processes on one PostgreSQL database behave as one platform (DESIGN test method 7): concurrent
// captures of one order through different processes never over-capture (P1, P2), one X-Request-Id sent to every
// process at once has one effect (P5), and each callback is sent by exactly one of the competing dispatchers (O2).
// Method: three child processes (`node --import tsx src/main.ts`) started together on a fresh PostgreSQL database, each
// running its own job loop; a bounded loopback load: shared orders captured in parallel through all three processes,
// plus payments initiated on one process and approved on another so that their callbacks are enqueued everywhere;
// last, approvals on two processes race the 5-minute timeout run by the third (whose sandbox clock travels past it).
// Afterwards: no order over-captured and none refused a capture it had room for, each raced payment has one winner and
// the winner's callback, the CallbackReceiver saw each outbox row's callback exactly once, every row delivered,
// reconcile clean (in-process and `npx kasse reconcile`). Skipped, saying so, without PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { PG_ADMIN_URL, freshDatabase, pgAvailable, type TestDatabase } from '../support/databases.ts';
import { createSandboxMerchant } from '../support/merchant-client.ts';
import { ChildKasse, liveChildren, stopAllChildren } from './support/child-kasse.ts';
import { callbacksByPath, formatViolations, reconcileDirect, reconcileWithCli, waitForOutboxSettled, withStore } from './support/oracle.ts';
import { FULL } from './support/prng.ts';
import { RetryingMerchant, landingTokenOf, sendUntilDefinitive, vippsErrorCode, type DefinitiveAnswer } from './support/retrying-merchant.ts';

const NODES = 3;
const SHARED_ORDERS = FULL ? 30 : 8;
const RESERVED_ORE = 10_000;
/** Per shared order: this many captures of CAPTURE_ORE with distinct keys (more than fit), spread over the nodes. */
const CAPTURES_PER_ORDER = 15;
const CAPTURE_ORE = 1_000;
/** Plus one capture whose single key is sent to every node at the same moment. */
const SAME_KEY_ORE = 500;
const CALLBACK_PAYMENTS = FULL ? 150 : 30;
const IN_FLIGHT = FULL ? 24 : 12;
/** Payments whose approval races the timeout (phase 3). */
const RACE_PAYMENTS = FULL ? 60 : 20;
const USER_TIMEOUT_MS = 5 * 60_000;

/** Run tasks with at most `limit` in flight; the first failure fails the whole (after the rest settled). */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        try {
          results[index] = await tasks[index]!();
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
  return results;
}

/** Error bodies carry a per-request contextId; everything else of a replayed answer must be identical. */
function withoutContextId(body: unknown): unknown {
  return Array.isArray(body) ? body.map((e: Record<string, unknown>) => ({ ...e, contextId: undefined })) : body;
}

const available = pgAvailable();
const skip = available ? false : `PostgreSQL is not available at ${PG_ADMIN_URL}: the scale-out test needs it (several processes on one database)`;

after(async () => {
  await stopAllChildren();
  assert.equal(liveChildren(), 0, 'no Kasse child outlives the test');
});

describe('scale-out: three Kasse processes on one PostgreSQL database', { skip }, () => {
  test('concurrent captures through all processes, competing dispatchers, reconcile clean', { timeout: FULL ? 600_000 : 180_000 }, async () => {
    const started = Date.now();
    let database: TestDatabase | null = null;
    const receiver = await new CallbackReceiver().start();
    // A merchant that takes a moment to answer keeps rows in flight, so the dispatchers overlap more.
    receiver.behave = () => ({ delayMs: 25 });
    const nodes: ChildKasse[] = [];
    try {
      database = await freshDatabase('postgres');
      const url = database.url;
      // All three start at once on the empty database: migrations, fixtures and the signing key race on purpose.
      const starting = await Promise.allSettled(Array.from({ length: NODES }, (_, i) => ChildKasse.start({ databaseUrl: url, name: `node${i}`, jobPollMs: 20 })));
      for (const s of starting) if (s.status === 'fulfilled') nodes.push(s.value);
      const failedStart = starting.find((s) => s.status === 'rejected');
      if (failedStart) throw (failedStart as PromiseRejectedResult).reason;
      const node = (i: number) => nodes[i % NODES]!.baseUrl;

      const credentials = await createSandboxMerchant(node(0), { rateLimits: false, name: 'Scale-out shop' });
      // The token comes from node 0; the other nodes must accept it (one signing key per database).
      const merchant = new RetryingMerchant(credentials, () => node(0));
      const callbackPrefix = `${receiver.url}/cb`;

      const reserve = async (orderId: string, amountOre: number, initiateOn: number, approveOn: number, phone: string) => {
        const initiated = await merchant.initiate(orderId, amountOre, callbackPrefix, `${orderId}-i`, node(initiateOn));
        assert.equal(initiated.status, 200, `${orderId} initiate: ${initiated.text}`);
        const approved = await merchant.approve(orderId, landingTokenOf(initiated.body.url), phone, `${orderId}-a`, node(approveOn));
        assert.equal(approved.status, 200, `${orderId} approve: ${approved.text}`);
      };

      // Phase 1: the shared orders are reserved (their RESERVED callbacks go out while phase 2 runs).
      const shared = Array.from({ length: SHARED_ORDERS }, (_, i) => `so-${i}`);
      await pool(
        shared.map((orderId, i) => () => reserve(orderId, RESERVED_ORE, i, i + 1, `4${String(i % 7).padStart(7, '0')}`)),
        IN_FLIGHT,
      );

      // Phase 2, all at once: captures of the shared orders through every node, a same-key capture sent to all
      // three nodes together, and new payments initiated on one node and approved on another.
      type Capture = { orderId: string; requestId: string; amountOre: number; answer: DefinitiveAnswer };
      const captures: Capture[] = [];
      const sameKey: Array<{ orderId: string; answers: DefinitiveAnswer[] }> = [];
      const tasks: Array<() => Promise<void>> = [];
      for (const [o, orderId] of shared.entries()) {
        for (let j = 0; j < CAPTURES_PER_ORDER; j++) {
          tasks.push(async () => {
            const requestId = `${orderId}-c${j}`;
            const answer = await merchant.capture(orderId, CAPTURE_ORE, requestId, node(o + j));
            captures.push({ orderId, requestId, amountOre: CAPTURE_ORE, answer });
          });
        }
        tasks.push(async () => {
          const requestId = `${orderId}-same`;
          const answers = await Promise.all(nodes.map((n) => merchant.capture(orderId, SAME_KEY_ORE, requestId, n.baseUrl)));
          sameKey.push({ orderId, answers });
          captures.push({ orderId, requestId, amountOre: SAME_KEY_ORE, answer: answers[0]! });
        });
      }
      const callbackOrders = Array.from({ length: CALLBACK_PAYMENTS }, (_, i) => `cb-${i}`);
      for (const [i, orderId] of callbackOrders.entries()) {
        tasks.push(() => reserve(orderId, 1_000 + i, i, i + 2, `9${String(i % 11).padStart(7, '0')}`));
      }
      // Interleave the kinds of work so that every phase of the load mixes them.
      const interleaved = tasks.map((task, i) => ({ task, key: (i * 7919) % tasks.length })).sort((a, b) => a.key - b.key).map((t) => t.task);
      await pool(interleaved, IN_FLIGHT);
      const loadMs = Date.now() - started;

      // Same key, three nodes, one moment: one effect and the identical answer everywhere.
      for (const { orderId, answers } of sameKey) {
        for (const answer of answers.slice(1)) {
          assert.equal(answer.status, answers[0]!.status, `${orderId}: same-key answers agree on status`);
          assert.deepEqual(withoutContextId(answer.body), withoutContextId(answers[0]!.body), `${orderId}: same-key answers are identical`);
        }
      }

      // No over-capture, no spurious refusal, every acknowledged capture exactly once.
      let acknowledged = 0;
      let refused = 0;
      for (const [o, orderId] of shared.entries()) {
        const details = await merchant.details(orderId, node(o + 2));
        assert.equal(details.status, 200, details.text);
        const summary = details.body.transactionSummary as { capturedAmount: number; remainingAmountToCapture: number };
        const mine = captures.filter((c) => c.orderId === orderId);
        const acked = mine.filter((c) => c.answer.status === 200);
        const rejected = mine.filter((c) => c.answer.status !== 200);
        for (const r of rejected) assert.equal(vippsErrorCode(r.answer.body), '61', `${orderId} ${r.requestId}: refused only as over-capture, got ${r.answer.text}`);
        const sum = acked.reduce((s, c) => s + c.amountOre, 0);
        assert.ok(summary.capturedAmount <= RESERVED_ORE, `${orderId}: over-captured ${summary.capturedAmount} > ${RESERVED_ORE}`);
        assert.equal(summary.capturedAmount, sum, `${orderId}: captured = Σ acknowledged captures`);
        assert.ok(summary.remainingAmountToCapture < CAPTURE_ORE, `${orderId}: a capture was refused although ${summary.remainingAmountToCapture} remained`);
        const log = details.body.transactionLogHistory as Array<{ operation: string; requestId: string }>;
        for (const c of acked) assert.equal(log.filter((e) => e.operation === 'CAPTURE' && e.requestId === c.requestId).length, 1, `${orderId} ${c.requestId} once`);
        assert.equal(log.filter((e) => e.operation === 'CAPTURE').length, acked.length, `${orderId}: no unacknowledged capture`);
        acknowledged += acked.length;
        refused += rejected.length;
      }

      // Phase 3, last (it moves one node's clock): approval on two nodes races the 5-minute timeout on the third.
      // Node 2 travels past every expiry and drains at once while nodes 0 and 1 approve the same payments with
      // their own clocks: each payment has exactly one winner (P2/T2 across processes) and exactly one callback.
      const racing = Array.from({ length: RACE_PAYMENTS }, (_, i) => `race-${i}`);
      const landing = new Map<string, string>();
      await pool(
        racing.map((orderId, i) => async () => {
          const initiated = await merchant.initiate(orderId, 2_000 + i, callbackPrefix, `${orderId}-i`, node(i % 2));
          assert.equal(initiated.status, 200, initiated.text);
          landing.set(orderId, landingTokenOf(initiated.body.url));
        }),
        IN_FLIGHT,
      );
      const approvals = new Map<string, DefinitiveAnswer>();
      const [travel] = await Promise.all([
        sendUntilDefinitive(`${node(2)}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: USER_TIMEOUT_MS + 1_000 } }, merchant.stats, false),
        pool(
          racing.map((orderId, i) => async () => {
            approvals.set(orderId, await merchant.approve(orderId, landing.get(orderId)!, `4${String(i % 5).padStart(7, '1')}`, `${orderId}-a`, node(i % 2)));
          }),
          IN_FLIGHT,
        ),
      ]);
      assert.equal(travel.status, 200, travel.text);
      const raceOutcome = { approved: 0, expired: 0 };
      const expectedStatus = new Map<string, string>();
      for (const orderId of racing) {
        const approval = approvals.get(orderId)!;
        const status = await merchant.call('GET', `/ecomm/v2/payments/${orderId}/status`, { baseUrl: node(1) });
        const state = (status.body as { transactionInfo: { status: string } }).transactionInfo.status;
        if (approval.status === 200) {
          assert.equal(state, 'RESERVE', `${orderId}: the approval won, so the payment is reserved (${status.text})`);
          raceOutcome.approved++;
          expectedStatus.set(orderId, 'RESERVED');
        } else {
          assert.ok(['91', '92'].includes(vippsErrorCode(approval.body) ?? ''), `${orderId}: a lost approval is refused as expired: ${approval.text}`);
          assert.equal(state, 'REJECTED', `${orderId}: the timeout won (${status.text})`);
          raceOutcome.expired++;
          expectedStatus.set(orderId, 'REJECTED');
        }
      }

      // Callbacks: every outbox row delivered, and each one seen exactly once by the merchant.
      const expectedCallbacks = SHARED_ORDERS + CALLBACK_PAYMENTS + RACE_PAYMENTS;
      const outbox = await withStore(url, (store) => waitForOutboxSettled(store, 30_000));
      assert.deepEqual(outbox, { delivered: expectedCallbacks }, 'every callback delivered, none pending or dead');
      await receiver.waitFor(expectedCallbacks, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a straggling second send would arrive now
      const byPath = callbacksByPath(receiver.requests);
      const twice = [...byPath].filter(([, list]) => list.length !== 1).map(([path, list]) => `${path} ×${list.length}`);
      assert.deepEqual(twice, [], 'no callback sent twice by two dispatchers');
      assert.equal(byPath.size, expectedCallbacks);
      for (const [orderId, want] of expectedStatus) {
        const [callback] = byPath.get(`/cb/v2/payments/${orderId}`) ?? [];
        assert.equal((callback?.body as { transactionInfo?: { status?: string } } | undefined)?.transactionInfo?.status, want, `${orderId}: the winner's callback`);
      }
      const attemptsPerRow = await withStore(url, (store) =>
        store.db.selectFrom('callback_attempt').select(['outbox_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('outbox_id').execute(),
      );
      assert.ok(attemptsPerRow.every((r) => Number(r.n) === 1), 'one recorded attempt per row');

      for (const n of nodes) await n.stop();
      const direct = await reconcileDirect(url);
      assert.ok(direct.ok, formatViolations(direct));
      const cli = await reconcileWithCli(url);
      assert.equal(cli.code, 0, `npx kasse reconcile: ${formatViolations(cli.report)} ${cli.stderr}`);

      console.log(
        `[scale-out postgres] full=${FULL} ${JSON.stringify({
          nodes: NODES,
          startMs: nodes.map((n) => n.startDurationsMs[0]),
          sharedOrders: SHARED_ORDERS,
          captures: { sent: captures.length + sameKey.length * (NODES - 1), acknowledged, refusedAsOverCapture: refused },
          callbackPayments: CALLBACK_PAYMENTS,
          approvalVsTimeout: raceOutcome,
          callbacks: { expected: expectedCallbacks, received: receiver.requests.length },
          ...merchant.stats.summary(),
          reconcile: direct.checked,
          loadMs,
          totalMs: Date.now() - started,
        })}`,
      );
    } catch (error) {
      for (const n of nodes) process.stderr.write(`[scale-out] ${n.name} output:\n${n.output()}\n`);
      throw error;
    } finally {
      for (const n of nodes) await n.stop();
      await receiver.close();
      await database?.drop();
    }
  });
});
