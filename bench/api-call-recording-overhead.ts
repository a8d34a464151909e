/**
 * What the API-call recording costs the hot path: `GET /ecomm/v2/payments/{orderId}/details` and
 * `POST /ecomm/v2/payments` (initiate) in-process (fastify's inject, no network), on two Kasse instances in the same
 * process — one recording every call (the onSend hook appends to a buffer; a timer writes the buffer as one multi-row
 * INSERT), one not — measured in alternating rounds so that both see the same machine. Metrics are off in both.
 *
 *   node --import tsx bench/api-call-recording-overhead.ts [rounds=15] [detailsPerRound=1000] [initiatesPerRound=300]
 *
 * CPU time of this process per call (median over rounds), not wall time, so that other work on a shared machine does
 * not count. The recording instance's writes are included: each of its rounds ends by flushing its buffer inside the
 * measured window. The databases are SQLite files on tmpfs (/dev/shm), so no disk waits either.
 */
import { kasseActor } from '../src/core/operators/audit.ts';
import { rmSync } from 'node:fs';
import { systemClock } from '../src/clock.ts';
import { createKasse, type Kasse } from '../src/kasse.ts';
import { createSandboxMerchant } from '../src/core/sandbox/sandbox-merchants.ts';

const rounds = Number(process.argv[2] ?? 15);
const detailsPerRound = Number(process.argv[3] ?? 1000);
const initiatesPerRound = Number(process.argv[4] ?? 300);
const CONCURRENCY = 16;

interface Variant {
  name: string;
  kasse: Kasse;
  dbPath: string;
  msn: string;
  headers: Record<string, string>;
  detailsUs: number[];
  initiateUs: number[];
}

async function setUp(name: string, recording: boolean): Promise<Variant> {
  const dbPath = `/dev/shm/kasse-recording-overhead-${process.pid}-${name}.sqlite`;
  const kasse = await createKasse({ databaseUrl: `sqlite:${dbPath}`, clock: systemClock, timeTravel: null, logger: false, startJobs: false, metrics: false, apiCallRecording: recording });
  const keys = await createSandboxMerchant(kasse.ctx, kasseActor('bench'), { rateLimits: false });
  const tokenAnswer = await kasse.app.inject({
    method: 'POST',
    url: '/accesstoken/get',
    headers: { client_id: keys.clientId, client_secret: keys.clientSecret, 'ocp-apim-subscription-key': keys.subscriptionKey },
  });
  const headers = {
    authorization: `Bearer ${tokenAnswer.json().access_token as string}`,
    'ocp-apim-subscription-key': keys.subscriptionKey,
    'content-type': 'application/json',
    'vipps-system-name': 'bench-shop',
    'vipps-system-version': '1.0.0',
  };
  const variant: Variant = { name, kasse, dbPath, msn: keys.merchantSerialNumber, headers, detailsUs: [], initiateUs: [] };
  await initiate(variant, 'bench-details-order');
  return variant;
}

let orderSeq = 0;
async function initiate(v: Variant, orderId = `bench-order-${++orderSeq}`): Promise<void> {
  const response = await v.kasse.app.inject({
    method: 'POST',
    url: '/ecomm/v2/payments',
    headers: v.headers,
    payload: JSON.stringify({
      customerInfo: {},
      merchantInfo: { merchantSerialNumber: v.msn, callbackPrefix: 'https://127.0.0.1:9/cb', fallBack: 'https://example.com/done' },
      transaction: { orderId, amount: 20000, transactionText: 'Bench' },
    }),
  });
  if (response.statusCode !== 200) throw new Error(`initiate: ${response.statusCode} ${response.body}`);
}

async function details(v: Variant): Promise<void> {
  const response = await v.kasse.app.inject({ method: 'GET', url: '/ecomm/v2/payments/bench-details-order/details', headers: v.headers });
  if (response.statusCode !== 200) throw new Error(`details: ${response.statusCode} ${response.body}`);
}

async function measure(v: Variant, calls: number, call: (v: Variant) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next++ < calls) await call(v);
  };
  const started = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await v.kasse.apiCalls?.flush();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / calls;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const recording = await setUp('recording', true);
const plain = await setUp('not-recording', false);
try {
  for (const v of [recording, plain]) {
    await measure(v, detailsPerRound, details);
    await measure(v, initiatesPerRound, (x) => initiate(x));
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [recording, plain] : [plain, recording];
    for (const v of order) v.detailsUs.push(await measure(v, detailsPerRound, details));
    for (const v of order) v.initiateUs.push(await measure(v, initiatesPerRound, (x) => initiate(x)));
  }
  for (const [label, pick] of [
    ['details', (v: Variant) => v.detailsUs],
    ['initiate', (v: Variant) => v.initiateUs],
  ] as const) {
    for (const v of [recording, plain]) {
      console.log(`${label.padEnd(9)} ${v.name.padEnd(14)} median ${median(pick(v)).toFixed(1)} CPU µs/call   rounds: ${pick(v).map((x) => x.toFixed(0)).join(' ')}`);
    }
    const perRound = pick(recording).map((x, i) => ((x - pick(plain)[i]!) / pick(plain)[i]!) * 100);
    const a = median(pick(recording));
    const b = median(pick(plain));
    console.log(`${label.padEnd(9)} overhead of recording: ${(((a - b) / b) * 100).toFixed(1)} % (median of medians); per round median ${median(perRound).toFixed(1)} %`);
  }
  // The recording's own work without the request around it (an absolute figure that noise hardly touches): what the
  // hook hands the recorder, buffered and written in flushes of 500, as the timer would.
  const recorder = recording.kasse.apiCalls!;
  const sample = (await recording.kasse.store.db.selectFrom('api_call').selectAll().limit(1).executeTakeFirstOrThrow()) as Record<string, unknown>;
  const { id: _id, ...record } = sample;
  const perRowUs: number[] = [];
  for (let round = 0; round < 20; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < 500; i++) recorder.record({ ...(record as Parameters<typeof recorder.record>[0]) });
    await recorder.flush();
    const used = process.cpuUsage(started);
    perRowUs.push((used.user + used.system) / 500);
  }
  const rowUs = median(perRowUs.slice(5));
  console.log(`one recorded call, buffered and written (no request): ${rowUs.toFixed(1)} CPU µs = ${((rowUs / median(plain.detailsUs)) * 100).toFixed(1)} % of a /details call, ${((rowUs / median(plain.initiateUs)) * 100).toFixed(1)} % of an initiate here`);
  const rows = await recording.kasse.store.db.selectFrom('api_call').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  console.log(`(the recording instance wrote ${rows.n} api_call rows)`);
} finally {
  for (const v of [recording, plain]) {
    await v.kasse.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${v.dbPath}${suffix}`, { force: true });
  }
}
