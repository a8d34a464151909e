/**
 * `npm run bench` — Kasse's benchmark harness. See bench/README.md.
 *
 *   npm run bench                         every benchmark (about 8 minutes)
 *   BENCH_QUICK=1 npm run bench           shorter windows (under 3 minutes)
 *   npm run bench -- details initiate     only these
 *   BENCH_PROFILE=1 npm run bench -- lifecycle-sqlite    with node --cpu-prof on Kasse, summarised
 *
 * Every benchmark runs Kasse as its own server process on 127.0.0.1 and, in the same run, a bare node:http
 * baseline, so figures are ratios as well as absolutes. Targets are reported as PASS/MISS and never fail the
 * run; only a benchmark that could not run at all makes the exit code non-zero.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { LoadConfig, LoadResult, Step } from './load/client.ts';
import { runLoad, startBaseline, startReceiver, type HelperServer, type Receiver } from './lib/children.ts';
import { json } from './lib/http.ts';
import { ROOT, authHeaders, capturedPayment, createMerchant, createUsers, startKasse, type KasseProcess, type Merchant } from './lib/kasse.ts';
import { backendPids, createDatabase, dropDatabase, postgresAvailable, serverSettings } from './lib/pg.ts';
import { CpuMeter, round2, sleep, type CpuReport } from './lib/proc.ts';
import { summarise } from './lib/stats.ts';
import { summariseProfile, formatProfileSummary } from './profile-summary.ts';
import { ensureWrk, runWrk, type WrkResult } from './lib/wrk.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const PROFILE = process.env.BENCH_PROFILE === '1';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
};
const T = {
  warmupMs: int('BENCH_WARMUP_MS', QUICK ? 1_000 : 3_000),
  durationMs: int('BENCH_DURATION_MS', QUICK ? 3_000 : 10_000),
  pacedMs: int('BENCH_PACED_MS', QUICK ? 3_000 : 10_000),
  rounds: int('BENCH_ROUNDS', QUICK ? 1 : 2),
  connections: int('BENCH_CONNECTIONS', 32),
  loops: int('BENCH_LOOPS', 32),
  pgLoops: int('BENCH_PG_LOOPS', 64),
  backlog: int('BENCH_BACKLOG', QUICK ? 600 : 3_000),
  callbackRate: int('BENCH_CALLBACK_RATE', 500),
};
const RESULTS_DIR = join(ROOT, 'bench/results');
const LUA_DIR = join(ROOT, 'bench/lua');
const RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const TMP_DIR = join(ROOT, 'bench/.tmp', RUN_ID);
/** Where the SQLite files go: by default next to the project, on the disk ./data would be on. */
const DB_DIR = process.env.BENCH_DB_DIR ? join(process.env.BENCH_DB_DIR, `kasse-bench-${RUN_ID}`) : TMP_DIR;
const PROFILE_DIR = join(RESULTS_DIR, 'profiles', RUN_ID);

interface Target {
  what: string;
  goal: string;
  actual: number | null;
  met: boolean | null;
}

export interface Entry {
  name: string;
  value: number | null;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Cores the rest of the machine (not this benchmark's processes) used during the peak measurement. */
  otherCores?: number | null;
  targets: Target[];
  detail: Record<string, unknown>;
  error?: string;
  skipped?: string;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const loadavg = () => os.loadavg().map((l) => round2(l));
const target = (what: string, goal: string, actual: number | null, met: (v: number) => boolean): Target => ({
  what,
  goal,
  actual,
  met: actual === null || Number.isNaN(actual) ? null : met(actual),
});

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

async function kasse(name: string, databaseUrl: string, env: Record<string, string> = {}): Promise<KasseProcess> {
  return startKasse({
    name,
    databaseUrl,
    logLevel: LOG_LEVEL,
    env,
    // One directory per server: node names the files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0 is
    // the main thread (thread 1 is tsx's module loader, busy only at startup).
    ...(PROFILE ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(PROFILE_DIR, `${name}-${Date.now().toString(36)}`)] } : {}),
  });
}

function sqliteUrl(name: string): string {
  return `sqlite:${join(DB_DIR, `${name}.sqlite`)}`;
}

/**
 * How long one fdatasync of a small write takes where the SQLite files live. With synchronous = FULL every
 * committed write transaction waits for (at least) one, and better-sqlite3 waits on the event loop, so
 * 1 / this is a hard ceiling on SQLite write transactions per second on this disk.
 */
function fsyncMs(dir: string, count = 100): { medianMs: number; p90Ms: number } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, block, 0, block.length, (i % 16) * 4096);
      const t = performance.now();
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const summary = summarise(times);
  return { medianMs: summary.p50, p90Ms: summary.p90 };
}

/** Best of `rounds`: the figure least disturbed by whatever else the machine was doing. */
async function bestOf<T extends { rate: number }>(rounds: number, run: (round: number) => Promise<T>): Promise<{ best: T; all: T[] }> {
  const all: T[] = [];
  for (let round = 0; round < rounds; round++) all.push(await run(round));
  const best = all.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { best, all };
}

interface WrkRun {
  rate: number;
  wrk: WrkResult;
  cpu: CpuReport;
}

/** A warmup, then the measured wrk run, with the CPU of the server and of wrk over the measured run. */
async function wrkRun(server: { pid: number | undefined }, args: Parameters<typeof runWrk>[0], warm: boolean): Promise<WrkRun> {
  if (warm && T.warmupMs > 0) await runWrk({ ...args, durationS: Math.max(1, Math.round(T.warmupMs / 1000)) });
  const meter = new CpuMeter({ server: server.pid }).begin();
  const wrk = await runWrk(args);
  const cpu = meter.end();
  if (wrk.cpuCores !== null) cpu.processes.wrk = wrk.cpuCores;
  // wrk ran inside the metered interval but is not in the meter's list: take it out of "other".
  if (cpu.otherCores !== null && wrk.cpuCores !== null) cpu.otherCores = round2(Math.max(0, cpu.otherCores - wrk.cpuCores));
  return { rate: wrk.requestsPerSecond, wrk, cpu };
}

interface LoadRun {
  rate: number;
  load: LoadResult;
  cpu: CpuReport | null;
}

/** Runs the load client, metering the given processes (and the client itself) over its measured window. */
async function loadRun(config: LoadConfig, pids: Record<string, number | undefined>, extraPids?: () => Promise<Record<string, number>>): Promise<LoadRun> {
  let meter: CpuMeter | null = null;
  let cpu: CpuReport | null = null;
  let extra: Record<string, number> = {};
  const load = await runLoad(config, {
    onWindowStart: (pid) => {
      void (async () => {
        extra = extraPids ? await extraPids() : {};
        meter = new CpuMeter({ ...pids, ...extra, load: pid }).begin();
      })();
    },
    onWindowEnd: () => {
      cpu = meter?.end() ?? null;
    },
  });
  const report = cpu as CpuReport | null;
  if (report) {
    // Several PostgreSQL backends are reported as one figure.
    const backends = Object.keys(extra);
    if (backends.length > 0) {
      let sum = 0;
      for (const key of backends) {
        sum += report.processes[key] ?? 0;
        delete report.processes[key];
      }
      report.processes.postgres = round2(sum);
    }
  }
  return { rate: load.flowsPerSecond, load, cpu: report };
}

function loadConfig(base: Partial<LoadConfig> & Pick<LoadConfig, 'targets' | 'steps' | 'mode' | 'concurrency'>, merchant: Merchant | null, phones: string[], callbackPrefix: string): LoadConfig {
  return {
    token: merchant?.token ?? 'baseline',
    subscriptionKey: merchant?.subscriptionKey ?? 'baseline',
    msn: merchant?.msn ?? '0',
    phones: phones.length > 0 ? phones : ['47000000'],
    callbackPrefix,
    orderPrefix: `b${RUN_ID}${Math.random().toString(36).slice(2, 6)}-`,
    amountOre: 1000,
    warmupMs: T.warmupMs,
    durationMs: T.durationMs,
    requestIds: true,
    ...base,
  };
}

const target127 = (port: number) => ({ host: '127.0.0.1', port });

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

/** Response sizes of one complete flow on Kasse, so the baseline answers bodies of the same size. */
async function flowSizes(server: KasseProcess, merchant: Merchant, phone: string, callbackPrefix: string) {
  const headers = authHeaders(merchant);
  const orderId = `size${RUN_ID}${Math.random().toString(36).slice(2, 6)}`;
  const initiateBody = {
    customerInfo: {},
    merchantInfo: { merchantSerialNumber: merchant.msn, callbackPrefix, fallBack: 'https://example.com/fallback' },
    transaction: { orderId, amount: 1000, transactionText: 'One pair of socks' },
  };
  const initiated = await json<{ url: string }>(server.baseUrl, 'POST', '/ecomm/v2/payments', { headers, body: initiateBody });
  const token = initiated.body.url.split('=', 3)[2];
  await json(server.baseUrl, 'POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, { headers, body: { customerPhoneNumber: phone, token } });
  const action = (text: string) => ({ merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { amount: 1000, transactionText: text } });
  const captured = await json(server.baseUrl, 'POST', `/ecomm/v2/payments/${orderId}/capture`, { headers, body: action('Shipped') });
  await json(server.baseUrl, 'POST', `/ecomm/v2/payments/${orderId}/refund`, { headers, body: action('Returned') });
  const details = await json(server.baseUrl, 'GET', `/ecomm/v2/payments/${orderId}/details`, { headers });
  return { initiate: byteLength(initiated.text), capture: byteLength(captured.text), details: byteLength(details.text) };
}

async function withServers<T>(servers: Array<{ stop(): Promise<void> } | null>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    for (const server of servers.slice().reverse()) await server?.stop().catch(() => {});
  }
}

/**
 * BENCH_WAIT_QUIET=<seconds>: before each benchmark, wait (at most that long) until the machine is quiet —
 * under BENCH_QUIET_CORES (default 0.3) cores busy over a 2-second sample. Reports what it saw either way.
 */
async function waitForQuiet(): Promise<{ waitedS: number; busyCores: number | null }> {
  const limitS = int('BENCH_WAIT_QUIET', 0);
  const threshold = Number(process.env.BENCH_QUIET_CORES ?? 0.3);
  const started = Date.now();
  for (;;) {
    const meter = new CpuMeter({}).begin();
    await sleep(2_000);
    const busy = meter.end().machineBusyCores;
    const waitedS = Math.round((Date.now() - started) / 1000);
    if (busy === null || busy < threshold || waitedS >= limitS) return { waitedS, busyCores: busy };
    log(`  machine busy (${busy} cores in use by others), waiting… (${waitedS} s of at most ${limitS} s)`);
    await sleep(8_000);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Benchmarks

/**
 * The entry of a one-call benchmark: Kasse's closed-loop peak against the baseline's, then the same call paced at half
 * that peak for p50/p99.
 */
async function singleCallEntry(args: {
  name: string;
  step: Step;
  server: KasseProcess;
  base: { best: WrkRun; all: WrkRun[] };
  kasseRuns: { best: WrkRun; all: WrkRun[] };
  ratioTarget: [what: string, atLeast: number];
  paced: (rate: number) => LoadConfig;
  detail: Record<string, unknown>;
}): Promise<Entry> {
  const { base, kasseRuns } = args;
  const peak = kasseRuns.best.rate;
  const paced = await loadRun(args.paced(Math.max(1, Math.round(peak / 2))), { server: args.server.pid });
  const ratio = round2(peak / base.best.rate);
  const p = paced.load.steps[args.step];
  const [what, atLeast] = args.ratioTarget;
  return {
    name: args.name,
    value: peak,
    unit: 'req/s',
    baseline: base.best.rate,
    ratio,
    p50Ms: p?.p50 ?? null,
    p99Ms: p?.p99 ?? null,
    otherCores: kasseRuns.best.cpu.otherCores,
    targets: [target(what, `≥ ${atLeast}`, ratio, (v) => v >= atLeast), target(`p99 at ${Math.round(peak / 2)} req/s (half peak)`, '< 10 ms', p?.p99 ?? null, (v) => v < 10)],
    detail: { ...args.detail, kasse: kasseRuns.all.map(slimWrk), baseline: base.all.map(slimWrk), halfPeak: slimLoad(paced) },
  };
}

async function benchDetails(): Promise<Entry> {
  const server = await kasse('details', sqliteUrl('details'));
  let baseline: HelperServer | null = null;
  return withServers([server, { stop: async () => baseline?.stop() }], async () => {
    const merchant = await createMerchant(server.baseUrl);
    const [phone] = await createUsers(server.baseUrl, 1);
    const orderId = `details${RUN_ID}`;
    await capturedPayment(server.baseUrl, merchant, phone!, orderId);
    const path = `/ecomm/v2/payments/${orderId}/details`;
    const sample = await json(server.baseUrl, 'GET', path, { headers: authHeaders(merchant) });
    if (sample.status !== 200) throw new Error(`details: ${sample.status} ${sample.text}`);
    const bodyBytes = byteLength(sample.text);
    baseline = await startBaseline({ getBytes: bodyBytes, postBytes: 150 });
    const wrkArgs = (port: number) => ({
      url: `http://127.0.0.1:${port}${path}`,
      script: 'get.lua',
      connections: T.connections,
      durationS: Math.round(T.durationMs / 1000),
      headers: authHeaders(merchant),
      luaDir: LUA_DIR,
    });
    const base = await bestOf(T.rounds, (r) => wrkRun(baseline!, wrkArgs(baseline!.port), r === 0));
    const kasseRuns = await bestOf(T.rounds, (r) => wrkRun(server, wrkArgs(server.port), r === 0));
    return singleCallEntry({
      name: 'details',
      step: 'details',
      server,
      base,
      kasseRuns,
      ratioTarget: ['ratio to baseline GET', 0.5],
      paced: (rate) => loadConfig({ targets: [target127(server.port)], steps: ['details'], fixedOrderId: orderId, mode: 'paced', rate, concurrency: 512, durationMs: T.pacedMs }, merchant, [phone!], ''),
      detail: { responseBytes: bodyBytes, connections: T.connections },
    });
  });
}

async function benchInitiate(): Promise<Entry> {
  const server = await kasse('initiate', sqliteUrl('initiate'));
  let baseline: HelperServer | null = null;
  return withServers([server, { stop: async () => baseline?.stop() }], async () => {
    const merchant = await createMerchant(server.baseUrl);
    const callbackPrefix = 'http://127.0.0.1:9/callbacks';
    const sizes = await flowSizes(server, merchant, (await createUsers(server.baseUrl, 1))[0]!, callbackPrefix);
    baseline = await startBaseline({ getBytes: sizes.details, postBytes: sizes.initiate });
    const wrkArgs = (port: number, prefix: string) => ({
      url: `http://127.0.0.1:${port}/ecomm/v2/payments`,
      script: 'initiate.lua',
      scriptArgs: [prefix, merchant.msn, callbackPrefix],
      connections: T.connections,
      durationS: Math.round(T.durationMs / 1000),
      headers: authHeaders(merchant),
      luaDir: LUA_DIR,
    });
    const base = await bestOf(T.rounds, (r) => wrkRun(baseline!, wrkArgs(baseline!.port, `bl${r}`), r === 0));
    // Warmup and each round use their own orderId prefix, so every request creates a new payment.
    let run = 0;
    const kasseRuns = await bestOf(T.rounds, async (r) => {
      if (r === 0 && T.warmupMs > 0) await runWrk({ ...wrkArgs(server.port, `w${RUN_ID}`), durationS: Math.max(1, Math.round(T.warmupMs / 1000)) });
      return wrkRun(server, wrkArgs(server.port, `k${RUN_ID}r${run++}`), false);
    });
    return singleCallEntry({
      name: 'initiate',
      step: 'initiate',
      server,
      base,
      kasseRuns,
      ratioTarget: ['ratio to baseline POST', 0.3],
      paced: (rate) => loadConfig({ targets: [target127(server.port)], steps: ['initiate'], mode: 'paced', rate, concurrency: 512, durationMs: T.pacedMs }, merchant, [], callbackPrefix),
      detail: {
        requestBytes: 'as sent by bench/lua/initiate.lua (~250)',
        responseBytes: sizes.initiate,
        non2xx: kasseRuns.all.reduce((n, r) => n + r.wrk.errors.status, 0),
        connections: T.connections,
      },
    });
  });
}

const LIFECYCLE: Step[] = ['initiate', 'approve', 'capture', 'refund', 'details'];

/** initiate → force approve → capture → refund → details, N loops; then the same at half the peak, paced. */
async function lifecycle(name: string, nodes: KasseProcess[], loops: number, pgDatabase: string | null, targetRate: number): Promise<Entry> {
  const first = nodes[0]!;
  const receiver = await startReceiver();
  let baseline: HelperServer | null = null;
  return withServers([receiver, { stop: async () => baseline?.stop() }], async () => {
    const merchant = await createMerchant(first.baseUrl);
    const phones = await createUsers(first.baseUrl, loops);
    const callbackPrefix = `${receiver.baseUrl}/callbacks`;
    const sizes = await flowSizes(first, merchant, phones[0]!, callbackPrefix);
    baseline = await startBaseline({ getBytes: sizes.details, postBytes: sizes.capture });
    const pids: Record<string, number | undefined> = Object.fromEntries(nodes.map((n) => [n.name, n.pid]));
    pids.receiver = receiver.pid;
    const backends = pgDatabase ? async () => Object.fromEntries((await backendPids(pgDatabase)).map((pid, i) => [`pg${i}`, pid])) : undefined;
    const targets = nodes.map((n) => target127(n.port));
    // The generator's ceiling: the same flows against the bare server (every call answered at once).
    const base = await bestOf(T.rounds, () =>
      loadRun(loadConfig({ targets: [target127(baseline!.port)], steps: LIFECYCLE, mode: 'closed', concurrency: loops }, null, phones, callbackPrefix), { baseline: baseline!.pid }),
    );
    await receiver.takeArrivals();
    const peakRuns = await bestOf(T.rounds, () => loadRun(loadConfig({ targets, steps: LIFECYCLE, mode: 'closed', concurrency: loops }, merchant, phones, callbackPrefix), pids, backends));
    const peak = peakRuns.best.rate;
    const paced = await loadRun(
      loadConfig({ targets, steps: LIFECYCLE, mode: 'paced', rate: Math.max(1, Math.round(peak / 2)), concurrency: 1024, durationMs: T.pacedMs }, merchant, phones, callbackPrefix),
      pids,
      backends,
    );
    const delivered = (await receiver.takeArrivals()).length;
    const ratio = round2(peak / base.best.rate);
    const worstP99 = Math.max(...LIFECYCLE.map((s) => paced.load.steps[s]?.p99 ?? NaN));
    const failed = peakRuns.all.reduce((n, r) => n + r.load.failedFlows, 0) + paced.load.failedFlows;
    return {
      name,
      value: peak,
      unit: 'payments/s',
      baseline: base.best.rate,
      ratio,
      p50Ms: paced.load.all.p50,
      p99Ms: paced.load.all.p99,
      otherCores: peakRuns.best.cpu?.otherCores ?? null,
      targets: [
        target('complete payments per second', `≥ ${targetRate}`, peak, (v) => v >= targetRate),
        target(`worst per-call p99 at ${Math.round(peak / 2)} payments/s (half peak)`, '< 10 ms', worstP99, (v) => v < 10),
      ],
      detail: {
        nodes: nodes.length,
        loops,
        callsPerPayment: LIFECYCLE.length,
        failedFlows: failed,
        callbacksDelivered: delivered,
        kasse: peakRuns.all.map(slimLoad),
        baseline: base.all.map(slimLoad),
        halfPeak: slimLoad(paced),
        halfPeakPerCall: Object.fromEntries(LIFECYCLE.map((s) => [s, pick(paced.load.steps[s])])),
      },
    };
  });
}

async function benchLifecycleSqlite(): Promise<Entry> {
  const server = await kasse('kasse', sqliteUrl('lifecycle'));
  return withServers([server], () => lifecycle('lifecycle-sqlite', [server], T.loops, null, 1500));
}

async function benchLifecyclePostgres(): Promise<Entry> {
  if (!(await postgresAvailable())) {
    return skipped('lifecycle-postgres', 'payments/s', 'no PostgreSQL server answers at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)');
  }
  const dbName = `kasse_bench_${RUN_ID.replace(/[^a-z0-9]/g, '')}`;
  const url = await createDatabase(dbName);
  const nodes: KasseProcess[] = [];
  try {
    // One after the other: the first migrates, the second finds the schema in place.
    nodes.push(await kasse('kasseA', url));
    nodes.push(await kasse('kasseB', url));
    const entry = await lifecycle('lifecycle-postgres', nodes, T.pgLoops, dbName, 1000);
    entry.detail.postgres = await serverSettings();
    entry.detail.poolSizePerNode = Number(process.env.KASSE_PG_POOL_SIZE ?? 10);
    return entry;
  } finally {
    for (const node of nodes.reverse()) await node.stop().catch(() => {});
    await dropDatabase(dbName).catch((error: unknown) => log(`could not drop ${dbName}: ${String(error)}`));
  }
}

/**
 * Callback deliveries. (1) Capacity: a backlog of RESERVED callbacks is held back by the sandbox's own
 * delay_callbacks fault rule, then released at once by moving the sandbox clock; deliveries per second until
 * the receiver has them all. (2) Sustained: merchant loops initiate and approve as fast as they can; callbacks
 * delivered per second meanwhile. (3) Latency: approvals paced at 500/s; per callback, receiver arrival minus
 * the moment the approval's answer reached the merchant (the commit happened before that answer was sent, so
 * this slightly understates; arrival minus the approval's sending bounds it from above).
 */
async function benchCallbacks(): Promise<Entry[]> {
  const server = await kasse('kasse', sqliteUrl('callbacks'));
  const receiver = await startReceiver();
  return withServers([server, receiver], async () => {
    const merchant = await createMerchant(server.baseUrl);
    const phones = await createUsers(server.baseUrl, T.loops);
    const callbackPrefix = `${receiver.baseUrl}/callbacks`;
    const targets = [target127(server.port)];
    const pids = { server: server.pid, receiver: receiver.pid };

    /** Approvals paced at `rate`/s on orders initiated beforehand; per callback, arrival minus the approval. */
    const callbackLatency = async (rate: number) => {
      const paced = await loadRun(
        loadConfig(
          {
            targets,
            steps: ['approve'],
            mode: 'paced',
            rate,
            concurrency: 1024,
            prepare: Math.ceil((rate * (T.warmupMs + T.pacedMs)) / 1000) + 20,
            prepareMaxMs: QUICK ? 10_000 : 30_000,
            recordApprovals: true,
            durationMs: T.pacedMs,
          },
          merchant,
          phones,
          callbackPrefix,
        ),
        pids,
      );
      await settle();
      const arrivedAt = new Map((await receiver.takeArrivals()).map(([orderId, at]) => [orderId, at]));
      const fromAnswer: number[] = [];
      const fromSend: number[] = [];
      let missing = 0;
      for (const [orderId, sentAt, answeredAtMs] of paced.load.approvals ?? []) {
        const at = arrivedAt.get(orderId);
        if (at === undefined) {
          missing++;
          continue;
        }
        fromAnswer.push(at - answeredAtMs);
        fromSend.push(at - sentAt);
      }
      return {
        rate,
        approvalsPerSecond: paced.load.flowsPerSecond,
        prepared: paced.load.prepared ?? 0,
        approvals: paced.load.approvals?.length ?? 0,
        missingCallbacks: missing,
        fromApprovalAnswer: summarise(fromAnswer),
        fromApprovalSent: summarise(fromSend),
        approveCall: pick(paced.load.steps.approve),
        dropped: paced.load.dropped,
        late: paced.load.late,
        cpu: paced.cpu,
      };
    };

    // (1) Capacity.
    const delayMs = 600_000;
    for (let left = T.backlog; left > 0; left -= 1000) {
      const rule = await json(server.baseUrl, 'POST', '/_kasse/sandbox/faults', {
        body: { merchantSerialNumber: merchant.msn, kind: 'delay_callbacks', count: Math.min(1000, left), delayMs },
      });
      if (rule.status !== 201) throw new Error(`fault rule: ${rule.status} ${rule.text}`);
    }
    const built = await runLoad(
      loadConfig({ targets, steps: ['initiate', 'approve'], mode: 'closed', concurrency: T.loops, maxFlows: T.backlog, warmupMs: 0, durationMs: 600_000 }, merchant, phones, callbackPrefix),
    );
    if (built.flows !== T.backlog) throw new Error(`backlog: ${built.flows} of ${T.backlog} approvals succeeded ${JSON.stringify(built.errors)}`);
    // Every callback row must have been deferred by a rule before the clock moves.
    for (let waited = 0; ; waited += 200) {
      const live = await json<unknown[]>(server.baseUrl, 'GET', `/_kasse/sandbox/faults?merchantSerialNumber=${merchant.msn}`);
      if (live.body.length === 0) break;
      if (waited > 120_000) throw new Error('the delay rules were not used up within 120 s');
      await sleep(200);
    }
    const early = (await receiver.takeArrivals()).length;
    const meter = new CpuMeter(pids).begin();
    const releasedAt = performance.timeOrigin + performance.now();
    const advanced = await json(server.baseUrl, 'POST', '/_kasse/sandbox/clock', { body: { advanceMs: delayMs } });
    const answeredAt = performance.timeOrigin + performance.now();
    if (advanced.status !== 200) throw new Error(`clock: ${advanced.status} ${advanced.text}`);
    for (let waited = 0; (await receiver.count()) < T.backlog && waited < 30_000; waited += 50) await sleep(50);
    const drainCpu = meter.end();
    const drained = await receiver.takeArrivals();
    const lastArrival = Math.max(...drained.map(([, at]) => at));
    const capacity = Math.round((drained.length / (lastArrival - releasedAt)) * 1000);

    /** Waits until no callback has arrived for 500 ms (bounded): the dispatcher has caught up. */
    const settle = async () => {
      let last = -1;
      for (let waited = 0; waited < 60_000; waited += 500) {
        const count = await receiver.count();
        if (count === last) return;
        last = count;
        await sleep(500);
      }
    };

    // (2) Sustained.
    const sustained = await loadRun(loadConfig({ targets, steps: ['initiate', 'approve'], mode: 'closed', concurrency: T.loops }, merchant, phones, callbackPrefix), pids);
    await settle();
    const arrivals = await receiver.takeArrivals();
    const inWindow = arrivals.filter(([, at]) => at >= sustained.load.windowStartWall && at <= sustained.load.windowEndWall).length;
    const sustainedRate = Math.round((inWindow / sustained.load.windowMs) * 1000);

    // (3) Latency at 500/s (and, when Kasse cannot approve that fast here, at half of what it sustained).
    const rate = T.callbackRate;
    const atRate = await callbackLatency(rate);
    const sustainable = Math.floor(sustained.load.flowsPerSecond / 2);
    const atHalfSustained = sustained.load.flowsPerSecond < rate * 0.9 && sustainable >= 5 && !QUICK ? await callbackLatency(sustainable) : null;
    const latency = atRate.fromApprovalAnswer;
    return [
      {
        name: 'callbacks',
        value: capacity,
        unit: 'deliveries/s',
        baseline: null,
        ratio: null,
        p50Ms: latency.p50,
        p99Ms: latency.p99,
        otherCores: drainCpu.otherCores,
        targets: [
          target('deliveries per second (backlog released at once)', '≥ 2000', capacity, (v) => v >= 2000),
          target(`p99 approval answer → callback arrival at ${rate}/s`, '< 50 ms', latency.p99, (v) => v < 50),
        ],
        detail: {
          backlog: T.backlog,
          deliveredEarly: early,
          drainCpu,
          clockCallMs: Math.round(answeredAt - releasedAt),
          latencyAtRate: atRate,
          ...(atHalfSustained ? { latencyAtHalfSustainedApprovals: atHalfSustained } : {}),
        },
      },
      {
        name: 'callbacks-sustained',
        value: sustainedRate,
        unit: 'deliveries/s',
        baseline: null,
        ratio: null,
        p50Ms: sustained.load.steps.approve?.p50 ?? null,
        p99Ms: sustained.load.steps.approve?.p99 ?? null,
        otherCores: sustained.cpu?.otherCores ?? null,
        targets: [target('deliveries per second while approving at full speed', '≥ 2000', sustainedRate, (v) => v >= 2000)],
        detail: { loops: T.loops, approvalsPerSecond: sustained.load.flowsPerSecond, note: 'p50/p99 are of the approve call at full load (not half peak)', run: slimLoad(sustained) },
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

function pick(summary: { p50: number; p99: number; count: number } | undefined) {
  return summary ? { count: summary.count, p50: summary.p50, p99: summary.p99 } : null;
}

function slimWrk(run: WrkRun) {
  return { rate: run.rate, latencyMs: run.wrk.latencyMs, errors: run.wrk.errors, cpu: run.cpu };
}

function slimLoad(run: LoadRun) {
  const { approvals: _a, steps, ...rest } = run.load;
  return { ...rest, steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, pick(v)])), cpu: run.cpu };
}

function skipped(name: string, unit: string, reason: string): Entry {
  return { name, value: null, unit, baseline: null, ratio: null, p50Ms: null, p99Ms: null, targets: [], detail: {}, skipped: reason };
}

function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(entries: Entry[]): string {
  const rows = [['benchmark', 'value', 'unit', 'baseline', 'ratio', 'p50 ms', 'p99 ms', 'other load']];
  for (const e of entries) {
    rows.push([
      e.name,
      e.error ? 'ERROR' : e.skipped ? 'skipped' : fmt(e.value),
      e.unit,
      fmt(e.baseline),
      fmt(e.ratio, 2),
      fmt(e.p50Ms, 2),
      fmt(e.p99Ms, 2),
      e.otherCores === undefined || e.otherCores === null ? '—' : `${fmt(e.otherCores, 2)} cores`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('(other load: CPU the rest of the machine used during the peak measurement, from /proc/stat)', '', 'targets:');
  for (const e of entries) {
    if (e.error) out.push(`  ERROR  ${e.name}: ${e.error}`);
    if (e.skipped) out.push(`  SKIP   ${e.name}: ${e.skipped}`);
    for (const t of e.targets) out.push(`  ${t.met === null ? 'n/a ' : t.met ? 'PASS' : 'MISS'}   ${e.name}: ${t.what} ${t.goal} (measured ${fmt(t.actual, 2)})`);
  }
  return out.join('\n');
}

function machine() {
  const tryRun = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch (error) {
      return ((error as { stdout?: string }).stdout ?? '').trim() || null;
    }
  };
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round2(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    wrk: tryRun('wrk', ['--version'])?.split('\n')[0] ?? null,
    filesystem: tryRun('df', ['-T', ROOT])?.split('\n')[1]?.split(/\s+/)[1] ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------

const BENCHMARKS: Record<string, () => Promise<Entry | Entry[]>> = {
  details: benchDetails,
  initiate: benchInitiate,
  'lifecycle-sqlite': benchLifecycleSqlite,
  'lifecycle-postgres': benchLifecyclePostgres,
  callbacks: benchCallbacks,
};

async function main(): Promise<number> {
  const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const name of selected) if (!(name in BENCHMARKS)) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const names = selected.length > 0 ? selected : Object.keys(BENCHMARKS);
  if (!ensureWrk(log) && names.some((n) => n === 'details' || n === 'initiate')) {
    throw new Error('wrk is needed for details and initiate: apt-get install -y wrk (or run the other benchmarks by name)');
  }
  mkdirSync(TMP_DIR, { recursive: true });
  mkdirSync(DB_DIR, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (PROFILE) mkdirSync(PROFILE_DIR, { recursive: true });
  const startedAt = new Date();
  const info = { ...machine(), sqliteDir: DB_DIR.replace(ROOT, ''), fsync: fsyncMs(DB_DIR) };
  log(`Kasse benchmarks${QUICK ? ' (quick)' : ''}: ${names.join(', ')}`);
  log(`machine: ${info.nproc} cores (${info.cpu}), node ${info.node}, ${info.wrk ?? 'no wrk'}, load average ${loadavg().join(' ')}`);
  log(`SQLite files in ${info.sqliteDir}: fdatasync of 4 KiB takes ${info.fsync.medianMs} ms (median; p90 ${info.fsync.p90Ms} ms) right now — every SQLite commit waits for at least one`);
  log(`windows: warmup ${T.warmupMs} ms, measure ${T.durationMs} ms, paced ${T.pacedMs} ms, best of ${T.rounds}; Kasse LOG_LEVEL=${LOG_LEVEL}`);
  const entries: Entry[] = [];
  const loads: Record<string, number[]> = {};
  let crashed = false;
  for (const name of names) {
    const t0 = Date.now();
    const quiet = int('BENCH_WAIT_QUIET', 0) > 0 ? await waitForQuiet() : null;
    log(`\n▶ ${name} (load average ${loadavg().join(' ')}${quiet ? `; ${quiet.busyCores} cores busy before start after waiting ${quiet.waitedS} s` : ''})`);
    loads[name] = loadavg();
    try {
      const result = await BENCHMARKS[name]!();
      for (const entry of Array.isArray(result) ? result : [result]) {
        entries.push(entry);
        const targets = entry.targets.map((t) => `${t.met === null ? 'n/a' : t.met ? 'PASS' : 'MISS'} ${t.what} ${t.goal}: ${fmt(t.actual, 2)}`).join('; ');
        log(`  ${entry.name}: ${entry.skipped ? `skipped (${entry.skipped})` : `${fmt(entry.value)} ${entry.unit}`}${entry.ratio !== null ? ` (baseline ${fmt(entry.baseline)}, ratio ${fmt(entry.ratio, 2)})` : ''}; ${targets}`);
      }
    } catch (error) {
      crashed = true;
      const message = error instanceof Error ? error.message : String(error);
      log(`  ${name} FAILED: ${message}`);
      entries.push({ name, value: null, unit: '', baseline: null, ratio: null, p50Ms: null, p99Ms: null, targets: [], detail: {}, error: message });
    }
    log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const run = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: QUICK,
    settings: { ...T, logLevel: LOG_LEVEL, profile: PROFILE },
    machine: info,
    loadAverageAtStartOfEach: loads,
    loadAverageAtEnd: loadavg(),
  };
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(entries, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'latest-run.json'), `${JSON.stringify(run, null, 2)}\n`);
  log(`\n${table(entries)}`);
  log(`\nload average at end ${loadavg().join(' ')}; wrote bench/results/latest.json and latest-run.json`);
  if (PROFILE) {
    for (const dir of readdirSync(PROFILE_DIR)) {
      for (const file of readdirSync(join(PROFILE_DIR, dir)).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))) {
        log(`\nprofile of ${dir}, main thread: ${join('bench/results/profiles', RUN_ID, dir, file)}`);
        log(formatProfileSummary(summariseProfile(join(PROFILE_DIR, dir, file)), 30));
      }
    }
  }
  return crashed ? 1 : 0;
}

main()
  .then((code) => {
    cleanUp();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error);
    cleanUp();
    process.exit(1);
  });

function cleanUp(): void {
  rmSync(TMP_DIR, { recursive: true, force: true });
  rmSync(DB_DIR, { recursive: true, force: true });
}
