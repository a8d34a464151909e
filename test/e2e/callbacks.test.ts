// Goal: merchants receive exactly the callbacks the platform sends (RESERVED, SALE, REJECTED, CANCELLED) with the right shape and auth, and failed deliveries are recorded. Method: a real Kasse with its jobs running, a CallbackReceiver on 127.0.0.1, time moved on the fake clock or through POST /_kasse/sandbox/clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isoTimestamp } from '../../src/domain/clock.ts';
import { USER_ACTION_TIMEOUT_MS } from '../../src/domain/payment.ts';
import { CallbackReceiver, type ReceivedRequest } from '../support/callback-receiver.ts';
import { testDialects } from '../support/databases.ts';
import { setupKasseWithReceiver, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

const HOUR_MS = 3_600_000;

/** Resolves with the requests that arrived at `path` once there is at least one (bounded by waitFor's timeout). */
async function received(receiver: CallbackReceiver, path: string): Promise<ReceivedRequest[]> {
  for (;;) {
    const hits = receiver.requests.filter((r) => r.url === path);
    if (hits.length > 0) return hits;
    await receiver.waitFor(receiver.requests.length + 1);
  }
}

async function outboxWithAttempts(k: TestKasse, msn: string, orderId: string) {
  const db = k.kasse.store.db;
  const rows = await db.selectFrom('outbox').selectAll().where('msn', '=', msn).where('order_id', '=', orderId).orderBy('id').execute();
  const attempts = rows.length === 0 ? [] : await db.selectFrom('callback_attempt').selectAll().where('outbox_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
  return { rows, attempts };
}

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let receiver: CallbackReceiver;
    setupKasseWithReceiver({ dialect }, (started) => ({ k, receiver } = started));

    const prefix = (name: string) => ({ merchantInfo: { callbackPrefix: `${receiver.url}/${name}` } });

    test('RESERVED after force approve: exact body shape, POST to <callbackPrefix>/v2/payments/<orderId>, Authorization = the authToken', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const authToken = 'Bearer merchant-callback-secret-42';
      const initiated = await m.initiate('cb-reserved', 12345, { merchantInfo: { callbackPrefix: `${receiver.url}/reserved`, authToken } });
      assert.equal(initiated.status, 200, initiated.text);
      assert.equal((await m.approve('cb-reserved', initiated.body.url)).status, 200);
      const [callback, ...more] = await received(receiver, '/reserved/v2/payments/cb-reserved');
      assert.ok(callback);
      assert.equal(more.length, 0);
      assert.equal(callback.method, 'POST');
      assert.equal(callback.headers.authorization, authToken);
      assert.match(callback.headers['content-type'] ?? '', /^application\/json/);
      const details = await m.details('cb-reserved');
      const reserve = details.body.transactionLogHistory.find((e: { operation: string }) => e.operation === 'RESERVE');
      assert.ok(reserve, details.text);
      assert.deepEqual(callback.body, {
        merchantSerialNumber: m.msn,
        orderId: 'cb-reserved',
        transactionInfo: { amount: 12345, status: 'RESERVED', timeStamp: isoTimestamp(k.clock.nowMs()), transactionId: reserve.transactionId },
      });
      assert.equal(typeof (callback.body as { merchantSerialNumber: unknown }).merchantSerialNumber, 'string');
    });

    test('SALE for a direct-capture sales unit, without an Authorization header when no authToken was given', async () => {
      const m = await MerchantClient.create(k.baseUrl, { captureType: 'direct' });
      const initiated = await m.initiate('cb-sale', 5000, prefix('sale'));
      assert.equal((await m.approve('cb-sale', initiated.body.url)).status, 200);
      const [callback] = await received(receiver, '/sale/v2/payments/cb-sale');
      assert.equal(callback?.headers.authorization, undefined);
      const body = callback?.body as { transactionInfo: { status: string; amount: number } };
      assert.equal(body.transactionInfo.status, 'SALE');
      assert.equal(body.transactionInfo.amount, 5000);
    });

    test('REJECTED with errorInfo Payment 45 after 5 minutes; POST /_kasse/sandbox/clock answers only after the callback was attempted', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('cb-rejected', 7000, prefix('rejected'));
      assert.equal(initiated.status, 200, initiated.text);
      const moved = await httpRequest(`${k.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: USER_ACTION_TIMEOUT_MS + 1 } });
      assert.equal(moved.status, 200, moved.text);
      // No waiting: the callback is already there, and its attempt recorded, when the clock endpoint answers.
      const hits = receiver.requests.filter((r) => r.url === '/rejected/v2/payments/cb-rejected');
      assert.equal(hits.length, 1, 'the REJECTED callback arrived before the clock endpoint answered');
      const { rows, attempts } = await outboxWithAttempts(k, m.msn, 'cb-rejected');
      assert.deepEqual(rows.map((r) => r.state), ['delivered']);
      assert.deepEqual(attempts.map((a) => a.http_status), [200]);
      const body = hits[0]?.body as { transactionInfo: Record<string, unknown>; errorInfo: Record<string, unknown> };
      assert.equal(body.transactionInfo.status, 'REJECTED');
      assert.equal(body.transactionInfo.amount, 7000);
      assert.equal(body.transactionInfo.timeStamp, isoTimestamp(k.clock.nowMs()));
      assert.equal(body.errorInfo.errorGroup, 'Payment');
      assert.equal(body.errorInfo.errorCode, '45');
      assert.equal(typeof body.errorInfo.errorMessage, 'string');
    });

    test('POST /_kasse/sandbox/clock also waits for a background run that took the expiry and the callback just before it looked', async () => {
      // Regression: drain() returned when its own pass found nothing due, while a run of the poll timer (started
      // just as that pass began) had taken the expiry and was still delivering the callback. Reproduced by hand:
      // drain's passes read the clock 1 ms early (nothing is due for them yet) and, when its own pass starts, a
      // background run starts that reads the true time, so it expires the payment and owns the callback.
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('cb-drain-race', 1000, prefix('drain-race'));
      assert.equal(initiated.status, 200, initiated.text);
      receiver.behave = (r) => (r.url.startsWith('/drain-race/') ? { delayMs: 100 } : {});
      const readClock = k.clock.nowMs.bind(k.clock);
      let phase: 'drain-run-once' | 'drain-pass' | 'after' = 'drain-run-once';
      let startingBackgroundRun = false;
      k.clock.nowMs = () => {
        const stack = new Error().stack ?? '';
        if (startingBackgroundRun || phase === 'after' || !stack.includes('JobRunner.drain')) return readClock();
        const ownPass = !stack.includes('runOnce') && !/<anonymous> \(.*runner\.ts/.test(stack);
        if (phase === 'drain-run-once' && ownPass) {
          phase = 'drain-pass';
          startingBackgroundRun = true;
          void k.kasse.jobs.runOnce(); // the poll timer fires now
          startingBackgroundRun = false;
        }
        if (phase === 'drain-pass' && ownPass && stack.includes('runDue')) phase = 'after';
        return readClock() - 1;
      };
      try {
        // To exactly the expiry: due at the true time, not yet due 1 ms earlier.
        const moved = await httpRequest(`${k.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: USER_ACTION_TIMEOUT_MS } });
        assert.equal(moved.status, 200, moved.text);
        assert.equal(phase, 'after', "drain's own pass ran while the background run worked");
        const { rows, attempts } = await outboxWithAttempts(k, m.msn, 'cb-drain-race');
        assert.deepEqual(rows.map((r) => [r.state, r.attempts]), [['delivered', 1]], 'recorded before the clock endpoint answered');
        assert.equal(attempts.length, 1);
      } finally {
        k.clock.nowMs = readClock;
        receiver.behave = () => ({});
      }
    });

    test('CANCELLED after the user cancels on the landing page', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('cb-cancelled', 3000, prefix('cancelled'));
      const token = initiated.body.url.split('=', 3)[2] ?? '';
      const cancelled = await httpRequest(`${k.baseUrl}/_kasse/landing/${token}/cancel`, { method: 'POST' });
      assert.equal(cancelled.status, 200, cancelled.text);
      const [callback] = await received(receiver, '/cancelled/v2/payments/cb-cancelled');
      const body = callback?.body as { orderId: string; transactionInfo: { status: string; amount: number } };
      assert.equal(body.orderId, 'cb-cancelled');
      assert.equal(body.transactionInfo.status, 'CANCELLED');
      assert.equal(body.transactionInfo.amount, 3000);
    });

    test('a receiver answering 500: the attempt is recorded with http_status 500 and the row is dead after one attempt', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      receiver.behave = (r) => (r.url.startsWith('/fails/') ? { status: 500, body: { message: 'merchant broke' } } : {});
      try {
        const initiated = await m.initiate('cb-500', 2000, prefix('fails'));
        assert.equal((await m.approve('cb-500', initiated.body.url)).status, 200);
        await received(receiver, '/fails/v2/payments/cb-500');
        await k.kasse.jobs.drain();
        await k.advance(HOUR_MS);
        const { rows, attempts } = await outboxWithAttempts(k, m.msn, 'cb-500');
        assert.deepEqual(rows.map((r) => [r.state, r.attempts]), [['dead', 1]]);
        assert.equal(attempts.length, 1);
        assert.equal(attempts[0]?.http_status, 500);
        assert.match(attempts[0]?.response_excerpt ?? '', /merchant broke/);
        assert.equal(receiver.requests.filter((r) => r.url.startsWith('/fails/')).length, 1, 'no retry by default');
      } finally {
        receiver.behave = () => ({});
      }
    });

    test('a receiver on a refused port: the attempt is recorded with the connection error', async () => {
      const closed = await new CallbackReceiver().start();
      const url = closed.url;
      await closed.close();
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('cb-refused', 2000, { merchantInfo: { callbackPrefix: `${url}/nobody` } });
      assert.equal((await m.approve('cb-refused', initiated.body.url)).status, 200);
      await k.advance(0);
      const { rows, attempts } = await outboxWithAttempts(k, m.msn, 'cb-refused');
      assert.deepEqual(rows.map((r) => [r.state, r.attempts]), [['dead', 1]]);
      assert.equal(attempts[0]?.http_status, null);
      assert.match(attempts[0]?.error ?? '', /ECONNREFUSED/);
    });

    test('merchant capture, refund, cancel and release produce no callback', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const direct = await MerchantClient.create(k.baseUrl, { captureType: 'direct' });
      const ok = (r: { status: number; text: string }) => assert.equal(r.status, 200, r.text);
      const start = async (client: MerchantClient, orderId: string, approve: boolean) => {
        const initiated = await client.initiate(orderId, 10000, prefix('quiet'));
        ok(initiated);
        if (approve) ok(await client.approve(orderId, initiated.body.url));
      };
      await start(m, 'q-captured', true);
      ok(await m.capture('q-captured', 4000));
      ok(await m.refund('q-captured', 1000));
      ok(await m.cancel('q-captured', true));
      await start(m, 'q-voided', true);
      ok(await m.cancel('q-voided'));
      await start(m, 'q-merchant-cancelled', false);
      ok(await m.cancel('q-merchant-cancelled'));
      await start(direct, 'q-sale', true);
      ok(await direct.refund('q-sale', null));
      await k.advance(0);
      const expected: Array<[MerchantClient, string, string[]]> = [
        [m, 'q-captured', ['RESERVED']],
        [m, 'q-voided', ['RESERVED']],
        [m, 'q-merchant-cancelled', []],
        [direct, 'q-sale', ['SALE']],
      ];
      for (const [client, orderId, statuses] of expected) {
        const { rows } = await outboxWithAttempts(k, client.msn, orderId);
        assert.deepEqual(
          rows.map((r) => (JSON.parse(r.body_json ?? '{}') as { transactionInfo: { status: string } }).transactionInfo.status),
          statuses,
          orderId,
        );
        assert.deepEqual(rows.map((r) => r.state), statuses.map(() => 'delivered'), orderId);
        assert.equal(receiver.requests.filter((r) => r.url === `/quiet/v2/payments/${orderId}`).length, statuses.length, orderId);
      }
    });
  });

  describe(`${dialect}: callback timeout`, () => {
    let k: TestKasse;
    let receiver: CallbackReceiver;
    // A short timeout keeps the test fast; the production default is 3000 ms.
    setupKasseWithReceiver({ dialect, config: { callbackTimeoutMs: 300 } }, (started) => {
      ({ k, receiver } = started);
      receiver.behave = () => ({ delayMs: 1000 });
    });

    test('a receiver slower than the callback timeout: the attempt is recorded as a timeout and the row is dead', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('cb-slow', 2000, { merchantInfo: { callbackPrefix: `${receiver.url}/slow` } });
      assert.equal((await m.approve('cb-slow', initiated.body.url)).status, 200);
      await received(receiver, '/slow/v2/payments/cb-slow');
      await k.kasse.jobs.drain();
      const { rows, attempts } = await outboxWithAttempts(k, m.msn, 'cb-slow');
      assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.timeout_ms]), [['dead', 1, 300]]);
      assert.equal(attempts[0]?.http_status, null);
      assert.match(attempts[0]?.error ?? '', /timed out after 300 ms/);
      const latency = attempts[0]?.latency_ms ?? -1;
      assert.ok(latency >= 290 && latency < 1000, `latency ${latency} ms: cut at the timeout, not at the answer`);
    });
  });
}
