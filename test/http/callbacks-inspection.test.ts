// Goal: merchants can see every callback Kasse sent them (each attempt) and replay it, and sandbox fault rules drop or delay exactly the next N callbacks of one sales unit; method: a real Kasse over HTTP with a CallbackReceiver, the fake clock moved through the harness, reconcile() checked after every test.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { replayOutbound } from '../../src/core/callbacks/inspect.ts';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { isoTimestamp } from '../../src/domain/clock.ts';
import { OutboundDispatcher } from '../../src/jobs/outbound-dispatcher.ts';
import { CallbackReceiver, type ReceivedRequest } from '../support/callback-receiver.ts';
import { testDialects } from '../support/databases.ts';
import { ADMIN_TOKEN, setupKasseWithReceiver, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';

interface Attempt {
  attemptNo: number;
  startedAt: string;
  latencyMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

interface Call {
  id: number;
  merchantSerialNumber: string;
  orderId: string | null;
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: any;
  state: string;
  attemptCount: number;
  maxAttempts: number;
  createdAt: string;
  nextAttemptAt: string;
  delayed: boolean;
  attempts: Attempt[];
  replayOf?: number;
}

const DROPPED = 'dropped by a sandbox fault rule';

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    let receiver: CallbackReceiver;
    setupKasseWithReceiver({ dialect }, (started) => ({ k, receiver } = started));
    afterEach(async () => {
      await k.kasse.jobs.drain();
      assert.deepEqual((await reconcile(k.kasse.store)).violations, []);
    });

    const at = (path: string): ReceivedRequest[] => receiver.requests.filter((r) => r.url.startsWith(path));

    /** Initiate and force-approve with callbacks to `<receiver>/<path>`, then wait until due work is done. */
    async function pay(m: MerchantClient, orderId: string, path: string, authToken?: string) {
      const initiated = await m.initiate(orderId, 1000, {
        merchantInfo: { callbackPrefix: `${receiver.url}/${path}`, ...(authToken !== undefined ? { authToken } : {}) },
      });
      assert.equal(initiated.status, 200, initiated.text);
      const approved = await m.approve(orderId, initiated.body.url);
      assert.equal(approved.status, 200, approved.text);
      await k.kasse.jobs.drain();
    }

    async function calls(m: MerchantClient, query = ''): Promise<Call[]> {
      const result = await m.call<{ callbacks: Call[] }>('GET', `/_kasse/callbacks${query}`);
      assert.equal(result.status, 200, result.text);
      return result.body.callbacks;
    }

    async function addFault(body: object) {
      return httpRequest(`${k.baseUrl}/_kasse/sandbox/faults`, { method: 'POST', body });
    }

    async function assertClean() {
      assert.deepEqual((await reconcile(k.kasse.store)).violations, []);
    }

    test('a RESERVED callback shows under its orderId: URL, masked Authorization, body, and the 200 attempt with latency and response excerpt', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      receiver.behave = (r) => (r.url.startsWith('/seen/') ? { body: { thanks: 'got it' } } : {});
      await pay(m, 'insp-seen', 'seen', 'Bearer merchant-secret-abc');
      assert.equal(at('/seen/').length, 1);

      const result = await m.call('GET', '/_kasse/callbacks?orderId=insp-seen');
      assert.equal(result.status, 200, result.text);
      assert.ok(!result.text.includes('merchant-secret-abc'), 'the callback secret is never shown');
      const [call, ...more] = (result.body as { callbacks: Call[] }).callbacks;
      assert.ok(call);
      assert.equal(more.length, 0);
      assert.equal(call.merchantSerialNumber, m.msn);
      assert.equal(call.orderId, 'insp-seen');
      assert.equal(call.kind, 'payment_callback');
      assert.equal(call.method, 'POST');
      assert.equal(call.url, `${receiver.url}/seen/v2/payments/insp-seen`);
      assert.deepEqual(call.headers, { Authorization: 'Bear****' });
      assert.equal(call.body.transactionInfo.status, 'RESERVED');
      assert.deepEqual(call.body, at('/seen/')[0]?.body, 'the body shown is the body sent');
      assert.equal(call.state, 'delivered');
      assert.equal(call.attemptCount, 1);
      assert.equal(call.maxAttempts, 1);
      assert.equal(call.delayed, false);
      assert.equal(call.attempts.length, 1);
      const [attempt] = call.attempts;
      assert.equal(attempt?.attemptNo, 1);
      assert.equal(attempt?.httpStatus, 200);
      assert.equal(attempt?.responseExcerpt, JSON.stringify({ thanks: 'got it' }));
      assert.equal(attempt?.error, null);
      assert.equal(attempt?.startedAt, isoTimestamp(k.clock.nowMs()));
      assert.ok(Number.isInteger(attempt?.latencyMs) && (attempt?.latencyMs ?? -1) >= 0);
    });

    test('a receiver answering 500 shows the failed attempt with its status and excerpt, and the call is dead', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      receiver.behave = (r) => (r.url.startsWith('/broken/') ? { status: 500, body: { message: 'merchant broke' } } : {});
      await pay(m, 'insp-500', 'broken');
      const [call] = await calls(m, '?orderId=insp-500');
      assert.equal(call?.state, 'dead');
      assert.equal(call?.attemptCount, 1);
      assert.equal(call?.attempts[0]?.httpStatus, 500);
      assert.match(call?.attempts[0]?.responseExcerpt ?? '', /merchant broke/);
      assert.deepEqual(call?.headers, {}, 'no authToken, no Authorization header');
    });

    test('replay sends the call again as a new call with the same URL, headers and body; the listing shows both, newest first', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      let failing = true;
      receiver.behave = (r) => (r.url.startsWith('/replay/') && failing ? { status: 500 } : {});
      await pay(m, 'insp-replay', 'replay', 'Bearer replay-secret');
      const [original] = await calls(m, '?orderId=insp-replay');
      assert.equal(original?.state, 'dead');

      failing = false;
      const replayed = await m.call<Call>('POST', `/_kasse/callbacks/${original?.id}/replay`);
      assert.equal(replayed.status, 201, replayed.text);
      assert.notEqual(replayed.body.id, original?.id);
      assert.equal(replayed.body.replayOf, original?.id);
      assert.equal(replayed.body.state, 'pending');
      assert.equal(replayed.body.kind, 'payment_callback');
      assert.equal(replayed.body.url, original?.url);
      assert.deepEqual(replayed.body.body, original?.body);
      await k.kasse.jobs.drain();

      const sent = at('/replay/');
      assert.equal(sent.length, 2);
      assert.deepEqual(sent[1]?.body, sent[0]?.body);
      assert.equal(sent[1]?.headers.authorization, 'Bearer replay-secret');
      assert.equal(sent[1]?.url, sent[0]?.url);

      const listed = await calls(m, '?orderId=insp-replay');
      assert.deepEqual(
        listed.map((c) => [c.id, c.state, c.attempts.map((a) => a.httpStatus)]),
        [
          [replayed.body.id, 'delivered', [200]],
          [original?.id, 'dead', [500]],
        ],
      );
    });

    test('another merchant sees none of the calls and cannot replay one: 404 exactly like a missing id; no token is 401', async () => {
      const owner = await MerchantClient.create(k.baseUrl);
      const other = await MerchantClient.create(k.baseUrl);
      await pay(owner, 'insp-private', 'private');
      const [call] = await calls(owner, '?orderId=insp-private');
      assert.ok(call);
      assert.deepEqual(await calls(other, '?orderId=insp-private'), []);
      assert.deepEqual(await calls(other), []);

      const foreign = await other.call('POST', `/_kasse/callbacks/${call.id}/replay`);
      const missing = await other.call('POST', '/_kasse/callbacks/987654321/replay');
      assert.equal(foreign.status, 404);
      assert.equal(missing.status, 404);
      const a = vippsError(foreign.body);
      const b = vippsError(missing.body);
      assert.deepEqual([a.errorGroup, a.errorCode, a.errorMessage.replace(String(call.id), 'N')], [b.errorGroup, b.errorCode, b.errorMessage.replace('987654321', 'N')]);
      await k.kasse.jobs.drain();
      assert.equal(at('/private/').length, 1, 'nothing was sent again');

      const anonymous = await httpRequest(`${k.baseUrl}/_kasse/callbacks?orderId=insp-private`);
      assert.equal(anonymous.status, 401);
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/callbacks/${call.id}/replay`, { method: 'POST' })).status, 401);
    });

    test('the listing is newest first and bounded: limit picks the newest, above 200 is a 400, and an invalid orderId is a 400', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await pay(m, 'insp-first', 'limit');
      await pay(m, 'insp-second', 'limit');
      assert.deepEqual((await calls(m)).map((c) => c.orderId), ['insp-second', 'insp-first']);
      assert.deepEqual((await calls(m, '?limit=1')).map((c) => c.orderId), ['insp-second']);
      const tooMany = await m.call('GET', '/_kasse/callbacks?limit=201');
      assert.equal(tooMany.status, 400);
      assert.equal(vippsError(tooMany.body).errorCode, 'limit');
      const badOrderId = await m.call('GET', '/_kasse/callbacks?orderId=%00');
      assert.equal(badOrderId.status, 400, 'a NUL byte never reaches the database');
      assert.equal(vippsError(badOrderId.body).errorCode, 'orderId');
    });

    test('drop_callbacks count 2: the next two callbacks are not sent and are recorded as dropped (dead, no status); the third is sent', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const created = await addFault({ merchantSerialNumber: m.msn, kind: 'drop_callbacks', count: 2 });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.merchantSerialNumber, m.msn);
      assert.equal(created.body.kind, 'drop_callbacks');
      assert.equal(created.body.remaining, 2);

      await pay(m, 'drop-1', 'drop');
      await pay(m, 'drop-2', 'drop');
      assert.equal(at('/drop/').length, 0, 'the first two callbacks never reached the merchant');
      await assertClean();
      for (const orderId of ['drop-1', 'drop-2']) {
        const [call] = await calls(m, `?orderId=${orderId}`);
        assert.equal(call?.state, 'dead');
        assert.equal(call?.attemptCount, 1);
        assert.deepEqual(
          call?.attempts.map((a) => [a.httpStatus, a.error, a.responseExcerpt, a.latencyMs]),
          [[null, DROPPED, null, 0]],
        );
      }
      const left = await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults?merchantSerialNumber=${m.msn}`);
      assert.deepEqual(left.body, [], 'a used-up rule is no longer listed');

      await pay(m, 'drop-3', 'drop');
      assert.deepEqual(at('/drop/').map((r) => r.url), ['/drop/v2/payments/drop-3']);
      const [third] = await calls(m, '?orderId=drop-3');
      assert.equal(third?.state, 'delivered');
    });

    test('with retries on, a dropped attempt counts as a failed attempt and the retry after the backoff is sent', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const patched = await httpRequest(`${k.baseUrl}/_kasse/admin/sales-units/${m.msn}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: { callbackMaxAttempts: 2 },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal((await addFault({ merchantSerialNumber: m.msn, kind: 'drop_callbacks', count: 1 })).status, 201);
      await pay(m, 'drop-retry', 'drop-retry');
      const [pending] = await calls(m, '?orderId=drop-retry');
      assert.equal(pending?.state, 'pending');
      assert.deepEqual(pending?.attempts.map((a) => a.error), [DROPPED]);
      assert.equal(at('/drop-retry/').length, 0);
      await assertClean();

      await k.advance(1_000);
      assert.equal(at('/drop-retry/').length, 1);
      const [delivered] = await calls(m, '?orderId=drop-retry');
      assert.equal(delivered?.state, 'delivered');
      assert.deepEqual(delivered?.attempts.map((a) => [a.attemptNo, a.httpStatus]), [
        [1, null],
        [2, 200],
      ]);
    });

    test('delay_callbacks 60000 ms: nothing arrives until the clock moved 60 s, then the callback arrives once', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const created = await addFault({ merchantSerialNumber: m.msn, kind: 'delay_callbacks', count: 1, delayMs: 60_000 });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.delayMs, 60_000);
      const approvedAtMs = k.clock.nowMs();
      await pay(m, 'delay-1', 'delay');
      assert.equal(at('/delay/').length, 0);
      const [waiting] = await calls(m, '?orderId=delay-1');
      assert.equal(waiting?.state, 'pending');
      assert.equal(waiting?.attemptCount, 0);
      assert.equal(waiting?.delayed, true);
      assert.equal(waiting?.nextAttemptAt, isoTimestamp(approvedAtMs + 60_000));
      await assertClean();

      await k.advance(59_999);
      assert.equal(at('/delay/').length, 0, 'not yet: one millisecond to go');
      await k.advance(1);
      assert.equal(at('/delay/').length, 1);
      const [sent] = await calls(m, '?orderId=delay-1');
      assert.equal(sent?.state, 'delivered');
      assert.deepEqual(sent?.attempts.map((a) => a.httpStatus), [200]);

      // The rule was for one callback: the next goes out at once.
      await pay(m, 'delay-2', 'delay');
      assert.equal(at('/delay/').length, 2);
    });

    test('drop_callbacks stays exact with racing dispatchers: count 3 over 8 replayed callbacks drops exactly 3 and sends 5', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await pay(m, 'race', 'race');
      const [original] = await calls(m, '?orderId=race');
      assert.ok(original);
      assert.equal((await addFault({ merchantSerialNumber: m.msn, kind: 'drop_callbacks', count: 3 })).status, 201);
      // Enqueue without nudging the runner, then let two more dispatchers race it for the rows.
      const quiet = { ...k.kasse.ctx, onOutboundEnqueued: () => {} };
      for (let i = 0; i < 8; i++) await replayOutbound(quiet, m.msn, original.id);
      const racers = [new OutboundDispatcher(k.kasse.ctx), new OutboundDispatcher(k.kasse.ctx)];
      await Promise.all([...racers.map((d) => d.runDue()), k.kasse.jobs.drain()]);
      await k.kasse.jobs.drain();

      const replays = (await calls(m, '?orderId=race')).filter((c) => c.id !== original.id);
      assert.equal(replays.length, 8);
      const outcomes = replays.map((c) => c.attempts.map((a) => a.httpStatus ?? a.error).join());
      assert.equal(outcomes.filter((o) => o === DROPPED).length, 3, outcomes.join(' | '));
      assert.equal(outcomes.filter((o) => o === '200').length, 5, outcomes.join(' | '));
      assert.equal(at('/race/').length, 1 + 5);
    });

    test("one sales unit's fault rules do not touch another's callbacks, and DELETE removes them", async () => {
      const faulty = await MerchantClient.create(k.baseUrl);
      const healthy = await MerchantClient.create(k.baseUrl);
      assert.equal((await addFault({ merchantSerialNumber: faulty.msn, kind: 'drop_callbacks', count: 5 })).status, 201);
      assert.equal((await addFault({ merchantSerialNumber: faulty.msn, kind: 'delay_callbacks', count: 5, delayMs: 600_000 })).status, 201);

      await pay(healthy, 'iso-healthy', 'iso-healthy');
      assert.equal(at('/iso-healthy/').length, 1);
      assert.equal((await calls(healthy))[0]?.state, 'delivered');

      const listed = await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults?merchantSerialNumber=${faulty.msn}`);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.map((r: { kind: string; remaining: number }) => [r.kind, r.remaining]),
        [
          ['drop_callbacks', 5],
          ['delay_callbacks', 5],
        ],
      );
      const all = await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults`);
      assert.ok(all.body.every((r: { merchantSerialNumber: string }) => r.merchantSerialNumber !== healthy.msn));

      const deleted = await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults?merchantSerialNumber=${faulty.msn}`, { method: 'DELETE' });
      assert.deepEqual(deleted.body, { deleted: 2 });
      await pay(faulty, 'iso-faulty', 'iso-faulty');
      assert.equal(at('/iso-faulty/').length, 1, 'with its rules gone the sales unit gets its callback at once');
    });

    test('fault rule input is checked: delayMs required for delay and slow_shipping, count 1..1000, delayMs ≤ 600000, a known sales unit', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const cases: Array<[object, string]> = [
        [{ merchantSerialNumber: m.msn, kind: 'delay_callbacks', count: 1 }, 'delayMs'],
        [{ merchantSerialNumber: m.msn, kind: 'slow_shipping', count: 1 }, 'delayMs'],
        [{ merchantSerialNumber: m.msn, kind: 'drop_callbacks', count: 0 }, 'count'],
        [{ merchantSerialNumber: m.msn, kind: 'drop_callbacks', count: 1001 }, 'count'],
        [{ merchantSerialNumber: m.msn, kind: 'delay_callbacks', count: 1, delayMs: 600_001 }, 'delayMs'],
        [{ merchantSerialNumber: m.msn, kind: 'explode', count: 1 }, 'kind'],
        [{ merchantSerialNumber: '999999', kind: 'drop_callbacks', count: 1 }, 'merchantSerialNumber'],
      ];
      for (const [body, field] of cases) {
        const result = await addFault(body);
        assert.equal(result.status, 400, `${JSON.stringify(body)}: ${result.text}`);
        assert.equal(vippsError(result.body).errorCode, field, JSON.stringify(body));
      }
      const slow = await addFault({ merchantSerialNumber: m.msn, kind: 'slow_shipping', count: 3, delayMs: 2_000 });
      assert.equal(slow.status, 201, slow.text);
      assert.deepEqual([slow.body.kind, slow.body.remaining, slow.body.delayMs], ['slow_shipping', 3, 2_000]);
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults`, { method: 'DELETE' })).status, 400, 'DELETE names the sales unit');
      await httpRequest(`${k.baseUrl}/_kasse/sandbox/faults?merchantSerialNumber=${m.msn}`, { method: 'DELETE' });
    });

    test('the sandbox callbacks page and its JSON answer 200 with every merchant’s calls; the page’s replay sends a call again', async () => {
      const a = await MerchantClient.create(k.baseUrl);
      const b = await MerchantClient.create(k.baseUrl);
      await pay(a, 'page-a', 'page', 'Bearer page-secret');
      await pay(b, 'page-b', 'page');

      const page = await httpRequest(`${k.baseUrl}/_kasse/sandbox/callbacks`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.text, /page-a/);
      assert.match(page.text, /page-b/);
      assert.ok(!page.text.includes('page-secret'));
      assert.ok(!/innerHTML/.test(page.text), 'client code writes data with textContent');

      const json = await httpRequest<{ now: string; callbacks: Call[] }>(`${k.baseUrl}/_kasse/sandbox/callbacks.json`);
      assert.equal(json.status, 200);
      assert.equal(json.body.now, isoTimestamp(k.clock.nowMs()));
      const mine = json.body.callbacks.filter((c) => c.orderId === 'page-a' || c.orderId === 'page-b');
      assert.deepEqual(mine.map((c) => [c.orderId, c.merchantSerialNumber]), [
        ['page-b', b.msn],
        ['page-a', a.msn],
      ]);
      assert.equal(mine[1]?.headers.Authorization, 'Bear****');
      const ids = json.body.callbacks.map((c) => c.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');

      const filtered = await httpRequest<{ callbacks: Call[] }>(`${k.baseUrl}/_kasse/sandbox/callbacks.json?merchantSerialNumber=${a.msn}`);
      assert.deepEqual(filtered.body.callbacks.map((c) => c.orderId), ['page-a']);

      const target = mine[1];
      assert.ok(target);
      const replayed = await httpRequest(`${k.baseUrl}/_kasse/sandbox/callbacks/${target.id}/replay`, { method: 'POST' });
      assert.equal(replayed.status, 201, replayed.text);
      assert.equal(replayed.body.replayOf, target.id);
      assert.equal(replayed.body.merchantSerialNumber, a.msn);
      await k.kasse.jobs.drain();
      const sent = at('/page/v2/payments/page-a');
      assert.equal(sent.length, 2);
      assert.equal(sent[1]?.headers.authorization, 'Bearer page-secret');
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/sandbox/callbacks/987654321/replay`, { method: 'POST' })).status, 404);
    });
  });
}
