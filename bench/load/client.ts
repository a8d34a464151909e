/**
 * The load process: merchant flows against one or more Kasse nodes (or the baseline server), in a process of
 * its own so that the generator and the server never share an event loop.
 *
 * A flow is a sequence of merchant calls on one order (initiate → approve → capture → refund → details, or a
 * subset). Flows run either closed-loop (`concurrency` merchant loops, each starting its next flow when the
 * last one ends: the peak rate) or open-loop (`rate` flows per second on a fixed schedule, whatever the server
 * does: latency at a given rate). Only flows and calls that end inside the measured window (after `warmupMs`)
 * are counted. Prints one line `RESULT {json}` and exits.
 *
 *   node --import tsx bench/load/client.ts '<json config>'
 */
import { Client, type Reply } from '../lib/http.ts';
import { Samples, summarise, type LatencySummary } from '../lib/stats.ts';

export type Step = 'initiate' | 'approve' | 'capture' | 'refund' | 'details';

export interface LoadConfig {
  targets: Array<{ host: string; port: number }>;
  token: string;
  subscriptionKey: string;
  msn: string;
  /** Test users; loop i pays as phones[i % n] (one card per loop, as many customers would). */
  phones: string[];
  callbackPrefix: string;
  /** Unique per run: orderIds are `${orderPrefix}${n}`. */
  orderPrefix: string;
  amountOre: number;
  steps: Step[];
  /** With steps ['details']: read this existing order instead of creating one. */
  fixedOrderId?: string;
  mode: 'closed' | 'paced';
  /** Closed: merchant loops. Paced: the most flows in flight (more are counted as dropped). */
  concurrency: number;
  /** Paced: flows started per second. */
  rate?: number;
  warmupMs: number;
  durationMs: number;
  /** Stop starting flows after this many (building a backlog); every flow then counts. */
  maxFlows?: number;
  /** Initiate this many orders before the clock starts; the flows then begin at 'approve' with them. */
  prepare?: number;
  /** Stop preparing after this long, with however many orders are ready (the run then ends when they are used). */
  prepareMaxMs?: number;
  /** Report [orderId, approveSentAt, approveAnsweredAt] of every approval (performance.timeOrigin-based ms). */
  recordApprovals?: boolean;
  /** Send X-Request-Id on capture and refund (idempotent retries, as the example merchant does). */
  requestIds?: boolean;
}

export interface LoadResult {
  flows: number;
  windowMs: number;
  flowsPerSecond: number;
  calls: number;
  callsPerSecond: number;
  steps: Partial<Record<Step, LatencySummary>>;
  flow: LatencySummary;
  errors: Record<string, number>;
  failedFlows: number;
  dropped: number;
  /** Paced: how many flows started more than 5 ms late (the generator could not keep the schedule). */
  late: number;
  /** CPU the load process used inside the window. */
  cpuMs: number;
  /** The window in ms since the epoch (performance.timeOrigin-based), to match receiver arrivals. */
  windowStartWall: number;
  windowEndWall: number;
  /** Every call of every step together. */
  all: LatencySummary;
  approvals?: Array<[string, number, number]>;
  /** With `prepare`: how many orders were ready when the clock started. */
  prepared?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
const clients = config.targets.map((t) => new Client(t.host, t.port, Math.max(1, Math.ceil(config.concurrency / config.targets.length) + 4)));
const headers = {
  authorization: `Bearer ${config.token}`,
  'ocp-apim-subscription-key': config.subscriptionKey,
};
const wallNow = () => performance.timeOrigin + performance.now();

interface Order {
  orderId: string;
  token: string;
  client: Client;
  phone: string;
}

let orderCounter = 0;
let measuring = false;
const stepSamples = new Map<Step, Samples>(config.steps.map((s) => [s, new Samples()]));
const flowSamples = new Samples();
const allSamples = new Samples();
const errors: Record<string, number> = {};
const approvals: Array<[string, number, number]> = [];
let failedFlows = 0;
let flows = 0;
let calls = 0;

class CallFailed extends Error {}

function fail(step: Step, reply: Reply | null, error?: unknown): never {
  const key = reply ? `${step} ${reply.status}${reply.status >= 400 ? ` ${reply.text.slice(0, 120)}` : ''}` : `${step} ${String(error)}`;
  if (measuring || config.maxFlows !== undefined) errors[key] = (errors[key] ?? 0) + 1;
  throw new CallFailed(key);
}

async function call(step: Step, client: Client, method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<Reply> {
  const started = performance.now();
  let reply: Reply;
  try {
    reply = await client.request(method, path, extraHeaders ? { ...headers, ...extraHeaders } : headers, body === undefined ? undefined : JSON.stringify(body));
  } catch (error) {
    fail(step, null, error);
  }
  if (reply.status !== 200) fail(step, reply);
  if (measuring) {
    const elapsed = performance.now() - started;
    stepSamples.get(step)?.push(elapsed);
    allSamples.push(elapsed);
    calls++;
  }
  return reply;
}

async function initiate(client: Client, phone: string): Promise<Order> {
  const orderId = `${config.orderPrefix}${++orderCounter}`;
  const reply = await call('initiate', client, 'POST', '/ecomm/v2/payments', {
    customerInfo: {},
    merchantInfo: { merchantSerialNumber: config.msn, callbackPrefix: config.callbackPrefix, fallBack: 'https://example.com/fallback' },
    transaction: { orderId, amount: config.amountOre, transactionText: 'One pair of socks' },
  });
  // The landing url's token, as the Postman collection extracts it: url.split('=', 3)[2].
  const { url } = JSON.parse(reply.text) as { url: string };
  return { orderId, token: url.split('=', 3)[2] ?? '', client, phone };
}

async function runSteps(order: Order | null, client: Client, phone: string): Promise<void> {
  let current = order;
  for (const step of config.steps) {
    if (step === 'initiate') {
      current = await initiate(client, phone);
      continue;
    }
    if (step === 'details' && config.fixedOrderId !== undefined) {
      JSON.parse((await call('details', client, 'GET', `/ecomm/v2/payments/${config.fixedOrderId}/details`)).text);
      continue;
    }
    if (!current) throw new Error(`step ${step} needs an order: start with initiate or use prepare`);
    const base = `/ecomm/v2/payments/${current.orderId}`;
    const { orderId } = current;
    switch (step) {
      case 'approve': {
        const sentAt = wallNow();
        await call('approve', current.client, 'POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, {
          customerPhoneNumber: current.phone,
          token: current.token,
        });
        if (config.recordApprovals && measuring) approvals.push([orderId, sentAt, wallNow()]);
        break;
      }
      case 'capture':
      case 'refund': {
        const body = { merchantInfo: { merchantSerialNumber: config.msn }, transaction: { amount: config.amountOre, transactionText: step === 'capture' ? 'Shipped' : 'Returned' } };
        const reply = await call(step, current.client, 'POST', `${base}/${step}`, body, config.requestIds ? { 'x-request-id': `${orderId}-${step}` } : undefined);
        JSON.parse(reply.text);
        break;
      }
      case 'details':
        JSON.parse((await call('details', current.client, 'GET', `${base}/details`)).text);
        break;
    }
  }
}

async function flow(index: number, prepared: Order | null): Promise<void> {
  const client = prepared?.client ?? clients[index % clients.length]!;
  const phone = prepared?.phone ?? config.phones[index % config.phones.length]!;
  const started = performance.now();
  try {
    await runSteps(prepared, client, phone);
    if (measuring || config.maxFlows !== undefined) {
      flows++;
      if (measuring) flowSamples.push(performance.now() - started);
    }
  } catch (error) {
    if (!(error instanceof CallFailed)) throw error;
    if (measuring || config.maxFlows !== undefined) failedFlows++;
  }
}

/** Orders initiated before the clock starts (the flows then approve them). */
async function prepareOrders(count: number, maxMs: number): Promise<Order[]> {
  const orders: Order[] = [];
  let next = 0;
  const until = performance.now() + maxMs;
  const loop = async (loopIndex: number) => {
    while (next < count && performance.now() < until) {
      const i = next++;
      const client = clients[i % clients.length]!;
      const phone = config.phones[i % config.phones.length]!;
      for (let attempt = 0; ; attempt++) {
        try {
          orders.push(await initiate(client, phone));
          break;
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
      void loopIndex;
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, config.concurrency) }, (_, i) => loop(i)));
  return orders;
}

async function main(): Promise<void> {
  const pool = config.prepare ? await prepareOrders(config.prepare, config.prepareMaxMs ?? 600_000) : [];
  const prepared = pool.length;
  if (config.prepare) process.stdout.write(`PREPARED ${prepared}\n`);
  const t0 = performance.now();
  let windowStartWall = wallNow();
  let windowEndWall: number | null = null;
  let cpuWindow: NodeJS.CpuUsage | null = null;
  const deadline = t0 + config.warmupMs + config.durationMs;
  let windowStart = t0;
  let windowEnd: number | null = null;
  let cpuStart = process.cpuUsage();
  const openWindow = () => {
    measuring = true;
    windowStart = performance.now();
    windowStartWall = wallNow();
    cpuStart = process.cpuUsage();
    process.stdout.write('WINDOW_START\n');
  };
  const warmupTimer = setTimeout(openWindow, config.warmupMs);
  if (config.warmupMs === 0) {
    clearTimeout(warmupTimer);
    openWindow();
  }
  // Calls still running at the deadline end after the window and are not counted (except when building a backlog).
  const deadlineTimer =
    config.maxFlows === undefined
      ? setTimeout(() => {
          measuring = false;
          windowEnd = performance.now();
          windowEndWall = wallNow();
          cpuWindow = process.cpuUsage(cpuStart);
          process.stdout.write('WINDOW_END\n');
        }, config.warmupMs + config.durationMs)
      : null;
  let started = 0;
  let dropped = 0;
  let late = 0;
  const take = () => (pool.length > 0 ? pool.shift()! : null);
  const more = () => performance.now() < deadline && (config.maxFlows === undefined || started < config.maxFlows) && (!config.prepare || pool.length > 0);

  if (config.mode === 'closed') {
    const loop = async (loopIndex: number) => {
      while (more()) {
        started++;
        await flow(loopIndex, take());
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, (_, i) => loop(i)));
  } else {
    const rate = config.rate ?? 1;
    let inFlight = 0;
    const running = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (!more()) {
          resolve();
          return;
        }
        // Flow i is due at t0 + i / rate.
        const due = Math.floor(((now - t0) * rate) / 1000) + 1;
        while (started < due && more()) {
          const scheduledAt = t0 + (started * 1000) / rate;
          started++;
          if (now - scheduledAt > 5 && measuring) late++;
          if (inFlight >= config.concurrency) {
            if (measuring) dropped++;
            continue;
          }
          inFlight++;
          const p = flow(started, take()).finally(() => {
            inFlight--;
            running.delete(p);
          });
          running.add(p);
        }
        setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(running);
  }
  const endedAt: number = windowEnd ?? performance.now();
  measuring = false;
  clearTimeout(warmupTimer);
  if (deadlineTimer) clearTimeout(deadlineTimer);
  const windowMs = endedAt - windowStart;
  const cpu = cpuWindow ?? process.cpuUsage(cpuStart);
  if (windowEndWall === null) {
    windowEndWall = wallNow();
    process.stdout.write('WINDOW_END\n');
  }
  const steps: Partial<Record<Step, LatencySummary>> = {};
  for (const [step, samples] of stepSamples) steps[step] = summarise(samples.values());
  const result: LoadResult = {
    flows,
    windowMs: Math.round(windowMs),
    flowsPerSecond: Math.round((flows / windowMs) * 1000 * 10) / 10,
    calls,
    callsPerSecond: Math.round((calls / windowMs) * 1000),
    steps,
    flow: summarise(flowSamples.values()),
    errors,
    failedFlows,
    dropped,
    late,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    windowStartWall,
    windowEndWall,
    all: summarise(allSamples.values()),
    ...(config.recordApprovals ? { approvals } : {}),
    ...(config.prepare ? { prepared } : {}),
  };
  for (const client of clients) client.close();
  // A large line (every approval's timestamps) does not fit the pipe at once: exit only once it is written.
  await new Promise<void>((resolve) => process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => resolve()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`load client failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
