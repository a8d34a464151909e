/**
 * Analysis aid (not a benchmark): Kasse's CPU time per call, by thread, under closed-loop load: wrk's (`details` or
 * `initiate`, as `npm run bench` sends them) or the load client's complete payments (`lifecycle`: initiate → force
 * approve → capture → refund → details, 32 merchant loops, CPU per payment). Throughput on this kind of machine
 * moves ±10 % from one run to the next; the CPU a call costs moves much less, so a lever of a few percent shows here
 * first. Each round is a fresh window on one Kasse; the median of the rounds is printed, per thread group: the main
 * thread (HTTP, reads), the use-case worker (SQLite's writes), V8's helpers (GC, the compiler) and libuv's pool.
 * Before each round a fixed workload times the machine (lib/calibration.ts): the rate times that calibration compares
 * runs taken at different speeds.
 *
 *   node --import tsx bench/cpu-per-call.ts details|initiate|lifecycle [rounds=5] [seconds=4]
 *   BENCH_DATABASE_URL=postgres://…/<an empty database> node --import tsx bench/cpu-per-call.ts details
 *                                            the same on one node with PostgreSQL (the worker line is then idle)
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { authHeaders, capturedPayment, createMerchant, createUsers, ROOT, startKasse } from './lib/kasse.ts';
import { runLoad, startReceiver } from './lib/children.ts';
import { runWrk } from './lib/wrk.ts';
import { calibrationMs } from './lib/calibration.ts';

const call = process.argv[2];
const rounds = Number(process.argv[3] ?? 5);
const seconds = Number(process.argv[4] ?? 4);
if (call !== 'details' && call !== 'initiate' && call !== 'lifecycle') throw new Error('usage: bench/cpu-per-call.ts details|initiate|lifecycle [rounds] [seconds]');

const LOOPS = 32; // as `npm run bench` sends: wrk's connections, the lifecycle's merchant loops
const TICK_MS = 10; // getconf CLK_TCK = 100
const RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const dir = join(ROOT, 'bench/.tmp', `cpu-per-call-${RUN_ID}`);

/** CPU ms so far of each thread of `pid` (Node names them all "node"). */
function threadCpuMs(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * A round's CPU per call in three groups. Threads carry no role in their names, so: the main thread (its id is the
 * process's), the busiest other thread (under load, the use-case worker: SQLite's writes), and the rest (V8's GC and
 * compiler threads, libuv's pool).
 */
function groupsOf(spentMs: Map<number, number>, pid: number, calls: number): Map<string, number> {
  const others = [...spentMs].filter(([tid]) => tid !== pid).sort((a, b) => b[1] - a[1]);
  const perCallUs = (ms: number) => (ms * 1000) / calls;
  return new Map([
    ['main thread', perCallUs(spentMs.get(pid) ?? 0)],
    ['busiest other', perCallUs(others[0]?.[1] ?? 0)],
    ['the rest', perCallUs(others.slice(1).reduce((sum, [, ms]) => sum + ms, 0))],
  ]);
}

const difference = (after: Map<number, number>, before: Map<number, number>) => new Map([...after].map(([tid, cpuMs]) => [tid, cpuMs - (before.get(tid) ?? 0)]));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startKasse({ name: call, databaseUrl: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'kasse.sqlite')}`, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
const receiver = call === 'lifecycle' ? await startReceiver() : null;
try {
  const merchant = await createMerchant(server.baseUrl);
  const headers = authHeaders(merchant);
  const orderId = `cpu${RUN_ID}`;
  if (call === 'details') await capturedPayment(server.baseUrl, merchant, (await createUsers(server.baseUrl, 1))[0]!, orderId);
  const phones = call === 'lifecycle' ? await createUsers(server.baseUrl, LOOPS) : [];
  /** One window of load: its calls (payments for `lifecycle`), their rate, and Kasse's CPU by thread over it. */
  const window = async (prefix: string, durationS: number): Promise<{ calls: number; rate: number; spentMs: Map<number, number> }> => {
    let before = threadCpuMs(server.pid!);
    let after = before;
    if (call === 'lifecycle') {
      const port = Number(new URL(server.baseUrl).port);
      const result = await runLoad(
        {
          targets: [{ host: '127.0.0.1', port }],
          token: merchant.token,
          subscriptionKey: merchant.subscriptionKey,
          msn: merchant.msn,
          phones,
          callbackPrefix: `${receiver!.baseUrl}/callbacks`,
          orderPrefix: prefix,
          amountOre: 1000,
          steps: ['initiate', 'approve', 'capture', 'refund', 'details'],
          mode: 'closed',
          concurrency: LOOPS,
          warmupMs: 1000,
          durationMs: durationS * 1000,
          requestIds: true,
        },
        { onWindowStart: () => (before = threadCpuMs(server.pid!)), onWindowEnd: () => (after = threadCpuMs(server.pid!)) },
      );
      return { calls: result.flows, rate: result.flowsPerSecond, spentMs: difference(after, before) };
    }
    const result = await runWrk({
      url: call === 'details' ? `${server.baseUrl}/ecomm/v2/payments/${orderId}/details` : `${server.baseUrl}/ecomm/v2/payments`,
      script: call === 'details' ? 'get.lua' : 'initiate.lua',
      scriptArgs: call === 'details' ? [] : [prefix, merchant.msn, 'http://127.0.0.1:9/callbacks'],
      connections: LOOPS,
      durationS,
      headers,
      luaDir: join(ROOT, 'bench/lua'),
    });
    after = threadCpuMs(server.pid!);
    return { calls: result.requests, rate: result.requestsPerSecond, spentMs: difference(after, before) };
  };
  await window(`w${RUN_ID}`, 2);
  const perRound: Array<{ rate: number; calibrationMs: number; byGroup: Map<string, number> }> = [];
  for (let round = 0; round < rounds; round++) {
    const calibration = calibrationMs();
    const { calls, rate, spentMs } = await window(`r${round}${RUN_ID}`, seconds);
    perRound.push({ rate, calibrationMs: calibration, byGroup: groupsOf(spentMs, server.pid!, calls) });
  }
  const groups = [...new Set(perRound.flatMap((r) => [...r.byGroup.keys()]))];
  const total = median(perRound.map((r) => [...r.byGroup.values()].reduce((a, b) => a + b, 0)));
  const unit = call === 'lifecycle' ? 'payments' : 'req';
  console.log(`${call}: ${median(perRound.map((r) => r.rate))} ${unit}/s (median of ${rounds}); Kasse CPU per ${call === 'lifecycle' ? 'payment' : 'call'} ${total.toFixed(1)} µs`);
  // As if the machine had taken one second for the calibration: windows at different speeds compare (lib/calibration.ts).
  console.log(
    `  calibration ${median(perRound.map((r) => r.calibrationMs)).toFixed(0)} ms (median); at a 1,000 ms calibration ${median(perRound.map((r) => (r.rate * r.calibrationMs) / 1000)).toFixed(1)} ${unit}/s`,
  );
  for (const group of groups) console.log(`  ${group.padEnd(16)} ${median(perRound.map((r) => r.byGroup.get(group) ?? 0)).toFixed(1).padStart(6)} µs`);
} finally {
  await receiver?.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
