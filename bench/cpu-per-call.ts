/**
 * Analysis aid (not a benchmark): Kasse's CPU time per call, by thread, under wrk's closed-loop load (`details` or
 * `initiate`, as `npm run bench` sends them). Throughput on this kind of machine moves ±10 % from one run to the next;
 * the CPU a call costs moves much less, so a lever of a few percent shows here first. Each round is a fresh window on
 * one Kasse; the median of the rounds is printed, per thread group: the main thread (HTTP, reads), the use-case
 * worker (SQLite's writes), V8's helpers (GC, the compiler) and libuv's pool.
 *
 *   node --import tsx bench/cpu-per-call.ts details|initiate [rounds=5] [seconds=4]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { authHeaders, capturedPayment, createMerchant, createUsers, ROOT, startKasse } from './lib/kasse.ts';
import { runWrk } from './lib/wrk.ts';

const call = process.argv[2];
const rounds = Number(process.argv[3] ?? 5);
const seconds = Number(process.argv[4] ?? 4);
if (call !== 'details' && call !== 'initiate') throw new Error('usage: bench/cpu-per-call.ts details|initiate [rounds] [seconds]');

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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startKasse({ name: call, databaseUrl: `sqlite:${join(dir, 'kasse.sqlite')}`, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
try {
  const merchant = await createMerchant(server.baseUrl);
  const headers = authHeaders(merchant);
  const orderId = `cpu${RUN_ID}`;
  if (call === 'details') await capturedPayment(server.baseUrl, merchant, (await createUsers(server.baseUrl, 1))[0]!, orderId);
  const wrk = (prefix: string, durationS: number) =>
    runWrk({
      url: call === 'details' ? `${server.baseUrl}/ecomm/v2/payments/${orderId}/details` : `${server.baseUrl}/ecomm/v2/payments`,
      script: call === 'details' ? 'get.lua' : 'initiate.lua',
      scriptArgs: call === 'details' ? [] : [prefix, merchant.msn, 'http://127.0.0.1:9/callbacks'],
      connections: 32,
      durationS,
      headers,
      luaDir: join(ROOT, 'bench/lua'),
    });
  await wrk(`w${RUN_ID}`, 2);
  const perRound: Array<{ rate: number; byGroup: Map<string, number> }> = [];
  for (let round = 0; round < rounds; round++) {
    const before = threadCpuMs(server.pid!);
    const result = await wrk(`r${round}${RUN_ID}`, seconds);
    const after = threadCpuMs(server.pid!);
    const spentMs = new Map([...after].map(([tid, cpuMs]) => [tid, cpuMs - (before.get(tid) ?? 0)]));
    perRound.push({ rate: result.requestsPerSecond, byGroup: groupsOf(spentMs, server.pid!, result.requests) });
  }
  const groups = [...new Set(perRound.flatMap((r) => [...r.byGroup.keys()]))];
  const total = median(perRound.map((r) => [...r.byGroup.values()].reduce((a, b) => a + b, 0)));
  console.log(`${call}: ${median(perRound.map((r) => r.rate))} req/s (median of ${rounds}); Kasse CPU per call ${total.toFixed(1)} µs`);
  for (const group of groups) console.log(`  ${group.padEnd(16)} ${median(perRound.map((r) => r.byGroup.get(group) ?? 0)).toFixed(1).padStart(6)} µs`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
