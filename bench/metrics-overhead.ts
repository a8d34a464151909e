/**
 * What the metrics cost the hot path: `GET /ecomm/v2/payments/{orderId}/details` in-process (fastify's inject, no
 * network), on two Kasse instances in the same process and the same run — one with metrics (the per-request histogram
 * observe), one without — measured in alternating rounds so that both see the same machine.
 *
 *   node --import tsx bench/metrics-overhead.ts [rounds=30] [callsPerRound=1000]
 *
 * Prints CPU µs per call for each (median over rounds, and each round) and the overhead in per cent, per round (the
 * two halves of a round ran back to back) and overall. CPU time of this process, not wall time, so that other work on
 * a shared machine does not count; the databases are SQLite files on tmpfs (/dev/shm), so no disk waits either.
 * Process-wide costs of the default process metrics (the GC observer, the event-loop delay monitor) fall on both
 * instances alike and are not in the difference.
 */
import { rmSync } from 'node:fs';
import { systemClock } from '../src/clock.ts';
import { createKasse, type Kasse } from '../src/kasse.ts';

const rounds = Number(process.argv[2] ?? 30);
const callsPerRound = Number(process.argv[3] ?? 1000);
const CONCURRENCY = 16;

interface Variant {
  name: string;
  kasse: Kasse;
  dbPath: string;
  detailsUrl: string;
  headers: Record<string, string>;
  usPerCall: number[];
}

async function setUp(name: string, metrics: boolean): Promise<Variant> {
  const dbPath = `/dev/shm/kasse-metrics-overhead-${process.pid}-${name}.sqlite`;
  const kasse = await createKasse({ databaseUrl: `sqlite:${dbPath}`, clock: systemClock, timeTravel: null, logger: false, startJobs: false, metrics });
  const inject = async (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await kasse.app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return (response.body === '' ? {} : response.json()) as Record<string, string>;
  };
  const { createSandboxMerchant } = await import('../src/core/sandbox/sandbox-merchants.ts');
  const { SANDBOX_ACTOR } = await import('../src/core/operators/audit.ts');
  const keys = await createSandboxMerchant(kasse.ctx, SANDBOX_ACTOR, { rateLimits: false });
  const token = (await inject('POST', '/accesstoken/get', undefined, {
    client_id: keys.clientId,
    client_secret: keys.clientSecret,
    'ocp-apim-subscription-key': keys.subscriptionKey,
  })).access_token!;
  const headers = { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': keys.subscriptionKey };
  const msn = keys.merchantSerialNumber;
  const { url } = await inject('POST', '/ecomm/v2/payments', {
    customerInfo: {},
    merchantInfo: { merchantSerialNumber: msn, callbackPrefix: 'http://127.0.0.1:9/cb', fallBack: 'https://example.com/done' },
    transaction: { orderId: 'bench-1', amount: 20000, transactionText: 'Bench' },
  }, headers);
  await inject('POST', '/ecomm/v2/integration-test/payments/bench-1/approve', { customerPhoneNumber: '47999999', token: url!.split('=', 3)[2] }, headers);
  await inject('POST', '/ecomm/v2/payments/bench-1/capture', { merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 10000, transactionText: 'x' } }, { ...headers, 'x-request-id': 'c1' });
  return { name, kasse, dbPath, detailsUrl: '/ecomm/v2/payments/bench-1/details', headers, usPerCall: [] };
}

async function measure(variant: Variant, calls: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next++ < calls) {
      const response = await variant.kasse.app.inject({ method: 'GET', url: variant.detailsUrl, headers: variant.headers });
      if (response.statusCode !== 200) throw new Error(`details: ${response.statusCode} ${response.body}`);
    }
  };
  // CPU time of this process, not wall time: the machine is shared, and other processes' work must not count.
  const started = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / calls;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const withMetrics = await setUp('with-metrics', true);
const without = await setUp('without-metrics', false);
try {
  // Warm-up: JIT, statement caches, token caches.
  for (const v of [withMetrics, without]) await measure(v, callsPerRound);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [withMetrics, without] : [without, withMetrics];
    for (const v of order) v.usPerCall.push(await measure(v, callsPerRound));
  }
  const a = median(withMetrics.usPerCall);
  const b = median(without.usPerCall);
  for (const v of [withMetrics, without]) {
    console.log(`${v.name.padEnd(16)} median ${median(v.usPerCall).toFixed(1)} CPU µs/call   rounds: ${v.usPerCall.map((x) => x.toFixed(0)).join(' ')}`);
  }
  const perRound = withMetrics.usPerCall.map((x, i) => ((x - without.usPerCall[i]!) / without.usPerCall[i]!) * 100);
  console.log(`overhead of metrics on /details: ${(((a - b) / b) * 100).toFixed(1)} % (median of medians); per round: ${perRound.map((p) => p.toFixed(1)).join(' ')} %, median ${median(perRound).toFixed(1)} %`);
  // The per-request work alone, without the request around it: an absolute figure that noise hardly touches.
  const observations = 200_000;
  const metrics = withMetrics.kasse.metrics!;
  const started = process.cpuUsage();
  for (let i = 0; i < observations; i++) metrics.observeRequest('/ecomm/v2/payments/:orderId/details', 'GET', 200, 0.2 + (i % 7) / 10);
  const used = process.cpuUsage(started);
  const observeUs = (used.user + used.system) / observations;
  console.log(`one observe (the hook's work): ${observeUs.toFixed(2)} CPU µs = ${((observeUs / b) * 100).toFixed(2)} % of a /details call here`);
  const text = await metrics.scrape();
  const count = /kasse_http_request_duration_seconds_count\{route="\/ecomm\/v2\/payments\/:orderId\/details",method="GET",status_code="200"\} (\d+)/.exec(text)?.[1];
  console.log(`(the instrumented instance counted ${count} details calls)`);
} finally {
  for (const v of [withMetrics, without]) {
    await v.kasse.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${v.dbPath}${suffix}`, { force: true });
  }
}
