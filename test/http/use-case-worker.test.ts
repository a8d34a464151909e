// Goal: with the use-case worker (src/runtime/use-case-worker.ts: the write use cases and the jobs in a thread that
// owns SQLite's write connection) the merchant API answers exactly as without it, refusals included; time travel
// moves the worker's clock; callbacks are sent from the worker and counted in the main thread's metrics; the main
// thread's own writes (the sandbox, the portal) go on beside the worker's; a graceful close answers what is in flight.
// Method: the same script of calls against a Kasse with and one without the worker, answers compared; real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';
import { ManualClock } from '../../src/clock.ts';
import { createKasse } from '../../src/kasse.ts';
import { findPayment } from '../../src/store/repos/payments.ts';
import { TEST_EPOCH_MS, startKasseWithReceiver, startTestKasse, type KasseWithReceiver, type TestKasse } from '../support/harness.ts';

/** What a script of merchant calls answered, with what differs between two Kasses by construction taken out. */
async function script(kasse: TestKasse): Promise<unknown[]> {
  const merchant = await MerchantClient.create(kasse.baseUrl, { rateLimits: false });
  const answers: unknown[] = [];
  const keep = (label: string, result: { status: number; body: unknown }) => {
    const text = JSON.stringify(result.body ?? null)
      .replace(/"contextId":"[^"]*"/g, '"contextId":"…"')
      .replace(/token=[A-Za-z0-9_-]+/g, 'token=…')
      .replaceAll(merchant.msn, 'MSN')
      .replaceAll(kasse.baseUrl, 'BASE');
    answers.push({ label, status: result.status, body: JSON.parse(text) as unknown });
  };
  const initiated = await merchant.initiate('w-1', 10_000);
  keep('initiate', initiated);
  keep('initiate again: duplicate orderId', await merchant.initiate('w-1', 10_000));
  keep('capture before approval', await merchant.capture('w-1', 1_000, 'c-early'));
  keep('approve', await merchant.approve('w-1', initiated.body.url));
  keep('approve again', await merchant.approve('w-1', initiated.body.url));
  keep('capture too much', await merchant.capture('w-1', 20_000, 'c-much'));
  keep('capture', await merchant.capture('w-1', 4_000, 'c-1'));
  keep('capture retried', await merchant.capture('w-1', 4_000, 'c-1'));
  keep('capture: idempotency key reused', await merchant.capture('w-1', 3_000, 'c-1'));
  keep('refund too much', await merchant.refund('w-1', 5_000, 'r-much'));
  keep('refund', await merchant.refund('w-1', 1_500, 'r-1'));
  keep('cancel the rest', await merchant.cancel('w-1', true, 'x-1'));
  keep('capture unknown order', await merchant.capture('w-unknown', 100, 'c-unknown'));
  keep('refund unknown order', await merchant.refund('w-unknown', 100, 'r-unknown'));
  keep('details', await merchant.details('w-1'));
  const expiring = await merchant.initiate('w-2', 5_000);
  keep('initiate another', expiring);
  await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: 5 * 60_000 } });
  keep('status after the user did not act for 5 minutes (time travel)', await merchant.status('w-2'));
  keep('approve the expired one', await merchant.approve('w-2', expiring.body.url));
  return answers;
}

describe('the use-case worker', () => {
  test('answers every call of a script exactly as a Kasse without it, refusals and time travel included', async () => {
    const withWorker = await startTestKasse({ useCaseWorker: true });
    const without = await startTestKasse({ useCaseWorker: false });
    try {
      assert.ok(withWorker.kasse.useCaseWorker, 'the worker runs');
      assert.equal(without.kasse.useCaseWorker, null);
      const [expected, actual] = [await script(without), await script(withWorker)];
      assert.deepEqual(actual, expected);
      // Not a script that said yes to everything: it met refusals of each kind.
      assert.deepEqual(new Set((expected as Array<{ status: number }>).map((a) => a.status)), new Set([200, 400, 404, 409]));
    } finally {
      await withWorker.close();
      await without.close();
    }
  });

  describe('with a merchant server', () => {
    let started: KasseWithReceiver;
    before(async () => {
      started = await startKasseWithReceiver({ useCaseWorker: true });
    });
    after(() => started.close());

    test('a callback is sent from the worker and counted in the metrics the main thread serves', async () => {
      const { k, receiver } = started;
      const merchant = await MerchantClient.create(k.baseUrl, { rateLimits: false });
      const callbackPrefix = `${receiver.url}/callbacks`;
      const initiated = await merchant.initiate('cb-1', 10_000, { merchantInfo: { callbackPrefix } });
      assert.equal((await merchant.approve('cb-1', initiated.body.url)).status, 200);
      const [callback] = await receiver.waitFor(1);
      assert.equal(callback!.url, '/callbacks/v2/payments/cb-1');
      assert.equal((callback!.body as { transactionInfo: { status: string } }).transactionInfo.status, 'RESERVED');
      // The worker records the attempt after the merchant answered, then reports it to the main thread.
      const delivered = /kasse_outbound_attempts_total\{[^}]*outcome="delivered"[^}]*\} 1\b/;
      const deadline = Date.now() + 5_000;
      let metrics = '';
      while (!delivered.test(metrics) && Date.now() < deadline) metrics = (await httpRequest<string>(`${k.baseUrl}/metrics`, {})).text;
      assert.match(metrics, delivered);
    });

    test("the main thread's writes (new sandbox users) go on beside the worker's payments", async () => {
      const { k } = started;
      const merchant = await MerchantClient.create(k.baseUrl, { rateLimits: false });
      const payments = Array.from({ length: 24 }, (_, i) => merchant.reserved(`side-${i}`, 1_000 + i));
      const users = Array.from({ length: 8 }, (_, i) =>
        httpRequest(`${k.baseUrl}/_kasse/sandbox/users`, { method: 'POST', body: { msisdn: `4${String(8_100_000 + i)}` } }),
      );
      const [, created] = await Promise.all([Promise.all(payments), Promise.all(users)]);
      for (const user of created) assert.equal(user.status, 201, user.text);
      for (let i = 0; i < 24; i++) assert.equal((await merchant.status(`side-${i}`)).body.transactionInfo.status, 'RESERVE');
    });
  });

  test('a graceful close answers the calls in flight; every 200 was committed; then the worker ends', async () => {
    const k = await startTestKasse({ useCaseWorker: true });
    const merchant = await MerchantClient.create(k.baseUrl, { rateLimits: false });
    // A call the worker cannot run fails alone; the thread goes on.
    const worker = k.kasse.useCaseWorker!;
    await assert.rejects(worker.run('noSuchUseCase' as never, [] as never), /not a function/);
    const headers = await merchant.authHeaders();
    // Raw requests: an answer may be the 503 of a server that is closing, which is no ecomm v2 answer.
    const inFlight = Array.from({ length: 16 }, (_, i) =>
      httpRequest(`${k.baseUrl}/ecomm/v2/payments`, { method: 'POST', headers, body: merchant.initiateBody(`close-${i}`, 1_000) }),
    );
    // Close once the first answer is back, so others are in the worker's batches or on their way.
    await Promise.race(inFlight);
    await k.kasse.close();
    const settled = await Promise.allSettled(inFlight);
    const answered = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ i, status: s.value.status }] : []));
    for (const { status } of answered) assert.ok(status === 200 || status === 503, `answered ${status}`);
    // A request the closing server never took is refused at the connection, never left hanging.
    for (const s of settled) if (s.status === 'rejected') assert.match(String((s.reason as Error).cause), /ECONNRESET|ECONNREFUSED|socket|closed/i);
    const committed = answered.filter((a) => a.status === 200).map((a) => `close-${a.i}`);
    assert.ok(committed.length >= 1);
    await assert.rejects(worker.run('cancelPayment', [{ msn: merchant.msn, orderId: 'close-0', transactionText: 'x', shouldReleaseRemainingFunds: false, requestId: null }]), /exited/);
    // What was answered 200 is in the database, read by a new Kasse on the same file.
    const reopened = await createKasse({ databaseUrl: k.databaseUrl, clock: new ManualClock(TEST_EPOCH_MS), timeTravel: null, startJobs: false });
    try {
      for (const orderId of committed) assert.ok(await findPayment(reopened.store.db, merchant.msn, orderId), `${orderId} answered 200 but is not in the database`);
    } finally {
      await reopened.close();
      await k.close().catch(() => {});
    }
  });
});
