// Goal: what an operator expects to scrape and probe.
//  - GET /metrics (Prometheus text): requests by route pattern and status with a latency histogram, outcomes of
//    outbound calls, the outbox backlog, job lag (overdue calls and overdue payment timeouts), and the database pool.
//  - Liveness and readiness apart: /_kasse/health/live, /_kasse/health/ready (database answers, migrations done; 503 with
//    the reason otherwise); /_kasse/health keeps working.
// Method: a test Kasse per engine. One with jobs running and a merchant receiver (a delivered callback); one with jobs
// stopped and the fake clock moved, so that a callback and a payment timeout are overdue by a known amount.
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { testDialects } from '../support/databases.ts';
import { startKasseWithReceiver, startTestKasse, type KasseWithReceiver, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

/** The value of one series, e.g. sample(text, 'kasse_outbox_pending'), sample(text, 'x', {job: 'outbound'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await httpRequest(`${baseUrl}/metrics`);
  assert.equal(response.status, 200, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text;
}

const MINUTE_MS = 60_000;

for (const dialect of await testDialects()) {
  describe(`metrics and health (${dialect})`, () => {
    let running: KasseWithReceiver;
    let idle: TestKasse;
    before(async () => {
      running = await startKasseWithReceiver({ dialect });
      idle = await startTestKasse({ dialect, startJobs: false });
    });
    after(async () => {
      await running?.close();
      await idle?.close();
    });

    test('liveness and readiness are separate endpoints; /_kasse/health still answers', async () => {
      const { baseUrl } = running.k;
      assert.deepEqual((await httpRequest(`${baseUrl}/_kasse/health/live`)).body, { status: 'ok' });
      const ready = await httpRequest(`${baseUrl}/_kasse/health/ready`);
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.body, { status: 'ready', storage: dialect });
      assert.equal((await httpRequest(`${baseUrl}/_kasse/health`)).status, 200);
    });

    test('requests by route and status with latencies, callback outcomes and the pool', async () => {
      const { k, receiver } = running;
      const merchant = await MerchantClient.create(k.baseUrl);
      const initiated = await merchant.initiate('metrics-1', 10_000, { merchantInfo: { callbackPrefix: `${receiver.url}/cb` } });
      assert.equal((await merchant.approve('metrics-1', initiated.body.url)).status, 200);
      await receiver.waitFor(1);
      await k.kasse.jobs.drain();
      for (let i = 0; i < 3; i++) assert.equal((await merchant.details('metrics-1')).status, 200);
      assert.equal((await merchant.details('no-such-order')).status, 404);

      const text = await scrape(k.baseUrl);
      const details = { route: '/ecomm/v2/payments/:orderId/details', method: 'GET' };
      assert.equal(sample(text, 'kasse_http_request_duration_seconds_count', { ...details, status_code: '200' }), 3);
      assert.equal(sample(text, 'kasse_http_request_duration_seconds_count', { ...details, status_code: '404' }), 1);
      assert.equal(sample(text, 'kasse_http_request_duration_seconds_bucket', { ...details, status_code: '200', le: '+Inf' }), 3);
      assert.ok((sample(text, 'kasse_http_request_duration_seconds_sum', { ...details, status_code: '200' }) ?? 0) > 0, 'latencies are recorded');
      assert.equal(sample(text, 'kasse_outbound_attempts_total', { kind: 'payment_callback', outcome: 'delivered' }), 1);
      assert.equal(sample(text, 'kasse_outbox_pending'), 0);
      assert.equal(sample(text, 'kasse_job_lag_seconds', { job: 'outbound' }), 0);
      assert.ok((sample(text, 'kasse_job_pass_duration_seconds_count') ?? 0) > 0, 'job passes are timed');
      const connections = sample(text, 'kasse_db_pool', { storage: dialect, state: 'connections' });
      assert.ok(connections !== undefined && connections >= 1, `pool connections: ${connections}`);
      assert.equal(sample(text, 'kasse_db_pool', { storage: dialect, state: 'waiting' }), 0);
      assert.ok(sample(text, 'process_cpu_seconds_total') !== undefined, 'the process metrics are there too');
    });

    test('backlog and job lag: an undelivered callback and an unswept timeout, overdue by known amounts', async () => {
      const merchant = await MerchantClient.create(idle.baseUrl);
      const reserved = await merchant.initiate('lag-reserved', 10_000);
      assert.equal((await merchant.approve('lag-reserved', reserved.body.url)).status, 200);
      assert.equal((await merchant.initiate('lag-waiting', 10_000)).status, 200);
      // Jobs are stopped: the RESERVED callback stays due, and the second payment's 5-minute window passes unswept.
      idle.clock.advance(6 * MINUTE_MS);
      const text = await scrape(idle.baseUrl);
      assert.equal(sample(text, 'kasse_outbox_pending'), 1);
      assert.equal(sample(text, 'kasse_outbox_due'), 1);
      assert.equal(sample(text, 'kasse_job_lag_seconds', { job: 'outbound' }), 360);
      assert.equal(sample(text, 'kasse_job_lag_seconds', { job: 'expiry' }), 60);
    });

    test('readiness is 503 with the reason while a migration of this code has not run', async () => {
      // The migrator's own table is not part of the typed schema.
      const db = idle.kasse.store.db as unknown as Kysely<{ kasse_migration: { name: string } }>;
      const last = await db.selectFrom('kasse_migration').select('name').orderBy('name', 'desc').executeTakeFirstOrThrow();
      await db.deleteFrom('kasse_migration').where('name', '=', last.name).execute();
      const ready = await httpRequest(`${idle.baseUrl}/_kasse/health/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, { status: 'unavailable', reason: `migrations not run: ${last.name}` });
      assert.equal((await httpRequest(`${idle.baseUrl}/_kasse/health/live`)).status, 200, 'alive all the same');
    });
  });
}
