/**
 * Analysis aid (not a benchmark): how many SQL statements and transactions each merchant call costs, and how much
 * CPU it takes in-process without the network (fastify's inject). better-sqlite3 is instrumented by wrapping
 * Database.prototype.prepare and Statement run/all/get, node-postgres by wrapping Client.prototype.query, so every
 * executed statement (on PostgreSQL: every query sent, which is one round trip: statements held for the next one
 * go with it, store/postgres-pipeline.ts) is counted.
 *
 *   node --import tsx bench/query-count.ts [flows=200] [sqlite:<path> | postgres://…/<an empty database>]
 *   JOBS=1 node --import tsx bench/query-count.ts 2000     with the job loop on and callbacks sent to a local receiver
 *   CONCURRENCY=32 node --import tsx bench/query-count.ts 2000 sqlite:bench/.tmp/qc.sqlite
 *                                                         32 flows at a time: COMMITs and group-commit batches per payment
 *                                                         (per-step CPU overlaps then; the total per payment is given)
 *
 * With the default database on tmpfs (/dev/shm), fsync costs nothing and the figures are CPU only.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../src/clock.ts';
import { createKasse } from '../src/kasse.ts';

const flows = Number(process.argv[2] ?? 200);
const dbPath = `/dev/shm/kasse-query-count-${process.pid}.sqlite`;
const databaseUrl = process.argv[3] ?? `sqlite:${dbPath}`;

let statements = 0;
let commits = 0;
let prepares = 0;
const seen = new Map<string, number>();
const timeBySql = new Map<string, number>();
/** TRACE=1: the statements of the last flow, step by step, in the order they ran. */
let trace: string[] | null = null;
const traced = new Map<string, string[]>();
/** Counts one executed statement; `finish()` adds the time it took (SQLite: in-process; PostgreSQL: the round trip). */
function counted(sql: string): { finish(): void } {
  statements++;
  if (/^\s*commit\b/i.test(sql)) commits++;
  const key = sql.replace(/\s+/g, ' ').slice(0, 110);
  trace?.push(key);
  seen.set(key, (seen.get(key) ?? 0) + 1);
  const t = performance.now();
  return { finish: () => void timeBySql.set(key, (timeBySql.get(key) ?? 0) + performance.now() - t) };
}

const proto = Database.prototype as unknown as { prepare(sql: string): unknown };
const originalPrepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  prepares++;
  const stmt = originalPrepare.call(this, sql) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['run', 'all', 'get'] as const) {
    const original = stmt[method]!;
    stmt[method] = function (this: unknown, ...args: unknown[]) {
      const statement = counted(sql);
      try {
        return original.apply(this, args);
      } finally {
        statement.finish();
      }
    };
  }
  return stmt;
};

const pgClient = pg.Client.prototype as unknown as { query(...args: unknown[]): unknown };
const originalQuery = pgClient.query;
pgClient.query = function (this: unknown, ...args: unknown[]) {
  const [text] = args;
  const statement = counted(typeof text === 'string' ? text : ((text as { text?: string } | undefined)?.text ?? ''));
  const result = originalQuery.apply(this, args);
  if (result instanceof Promise) result.then(statement.finish, statement.finish);
  return result;
};

/**
 * PostgreSQL's round trips, counted on the socket: writes to the server (statements held for the next one leave with
 * it in one message sequence, one write; store/postgres-pipeline.ts).
 */
let databaseWrites = 0;
const databasePort = databaseUrl.startsWith('postgres') ? Number(new URL(databaseUrl).port || 5432) : null;
const socket = Socket.prototype as unknown as Record<'_write' | '_writev', (this: Socket, ...args: unknown[]) => unknown>;
for (const method of ['_write', '_writev'] as const) {
  const original = socket[method];
  socket[method] = function (this: Socket, ...args: unknown[]) {
    if (this.remotePort === databasePort) databaseWrites++;
    return original.apply(this, args);
  };
}

const withJobs = process.env.JOBS === '1';
const receiver = withJobs ? createServer((req, res) => req.resume().on('end', () => res.end())) : null;
if (receiver) await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const callbackPrefix = receiver ? `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb` : 'http://127.0.0.1:9/cb';
const kasse = await createKasse({ databaseUrl, clock: systemClock, timeTravel: null, logger: false, startJobs: withJobs });
const app = kasse.app;
const inject = async (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return (response.body === '' ? {} : response.json()) as Record<string, unknown>;
};

// Set up through the same API the benchmark uses.
const { createSandboxMerchant } = await import('../src/core/sandbox/sandbox-merchants.ts');
const { SANDBOX_ACTOR } = await import('../src/core/operators/audit.ts');
const credentials = await createSandboxMerchant(kasse.ctx, SANDBOX_ACTOR, { rateLimits: false });
const tokenBody = await app.inject({
  method: 'POST',
  url: '/accesstoken/get',
  headers: { client_id: credentials.clientId, client_secret: credentials.clientSecret, 'ocp-apim-subscription-key': credentials.subscriptionKey },
});
const token = (tokenBody.json() as { access_token: string }).access_token;
const auth = { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': credentials.subscriptionKey };
const msn = credentials.merchantSerialNumber;
const { createUser } = await import('../src/core/users/sandbox-users.ts');
await createUser(kasse.ctx, { msisdn: '47999999', cards: [{ bankId: 'dnb', availableOre: 100_000_000_000 }] });

type StepName = 'initiate' | 'approve' | 'capture' | 'refund' | 'details';
const perStep = new Map<StepName, { statements: number; writes: number; ms: number; cpuUs: number }>();
async function step(name: StepName, work: () => Promise<unknown>) {
  const before = statements;
  const writesBefore = databaseWrites;
  if (process.env.TRACE === '1' && tracing) trace = [];
  const cpu = process.cpuUsage();
  const t = performance.now();
  await work();
  const entry = perStep.get(name) ?? { statements: 0, writes: 0, ms: 0, cpuUs: 0 };
  entry.writes += databaseWrites - writesBefore;
  entry.ms += performance.now() - t;
  const used = process.cpuUsage(cpu);
  entry.cpuUs += used.user + used.system;
  entry.statements += statements - before;
  perStep.set(name, entry);
  if (trace) traced.set(name, trace);
  trace = null;
}

seen.clear();
timeBySql.clear();
const startStatements = statements;
const startCommits = commits;
const startWrites = databaseWrites;
const concurrency = Number(process.env.CONCURRENCY ?? 1);
const cpuAtStart = process.cpuUsage();
const startedAt = performance.now();
let tracing = false;
async function flow(i: number) {
  tracing = i === flows - 1;
  const orderId = `qc${process.pid}x${i}`;
  let url = '';
  await step('initiate', async () => {
    const r = await inject('POST', '/ecomm/v2/payments', {
      customerInfo: {},
      merchantInfo: { merchantSerialNumber: msn, callbackPrefix, fallBack: 'https://example.com/fallback' },
      transaction: { orderId, amount: 1000, transactionText: 'One pair of socks' },
    }, auth);
    url = r.url as string;
  });
  await step('approve', () => inject('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, { customerPhoneNumber: '47999999', token: url.split('=', 3)[2] }, auth));
  const action = { merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 1000, transactionText: 'x' } };
  await step('capture', () => inject('POST', `/ecomm/v2/payments/${orderId}/capture`, action, { ...auth, 'x-request-id': `${orderId}-c` }));
  await step('refund', () => inject('POST', `/ecomm/v2/payments/${orderId}/refund`, action, { ...auth, 'x-request-id': `${orderId}-r` }));
  await step('details', () => inject('GET', `/ecomm/v2/payments/${orderId}/details`, undefined, auth));
}
let nextFlow = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (nextFlow < flows) await flow(nextFlow++);
  }),
);
const total = statements - startStatements;
const totalWrites = databaseWrites - startWrites;
const elapsedMs = performance.now() - startedAt;
const cpuUsed = process.cpuUsage(cpuAtStart);

console.log(`${flows} flows in-process (${databaseUrl}), ${withJobs ? 'job loop on, callbacks delivered to a local receiver (its statements are counted in the step that nudged it)' : 'background jobs off (callbacks are enqueued, not sent)'}`);
console.log(`step        statements/call   ms/call   cpu ms/call${databasePort ? '   round trips/call' : ''}`);
for (const [name, e] of perStep) {
  const roundTrips = databasePort ? (e.writes / flows).toFixed(1).padStart(18) : '';
  console.log(`${name.padEnd(10)}  ${(e.statements / flows).toFixed(1).padStart(15)}  ${(e.ms / flows).toFixed(3).padStart(8)}  ${(e.cpuUs / 1000 / flows).toFixed(3).padStart(11)}${roundTrips}`);
}
console.log(`total statements per payment: ${(total / flows).toFixed(1)}${databasePort ? `, round trips (writes to the server) ${(totalWrites / flows).toFixed(1)}` : ''}; prepare() calls so far: ${prepares}`);
console.log(`COMMITs per payment: ${((commits - startCommits) / flows).toFixed(2)}; ${concurrency} at a time: ${(flows / (elapsedMs / 1000)).toFixed(0)} payments/s, ${((cpuUsed.user + cpuUsed.system) / 1000 / flows).toFixed(2)} ms CPU per payment`);
const batches = kasse.store.groupCommitStats;
if (batches) console.log(`group commit: ${batches.batches} batches, ${batches.commands} transactions (${(batches.commands / batches.batches).toFixed(2)} per batch, largest ${batches.largestBatch})`);
const sqlMs = [...timeBySql.values()].reduce((a, b) => a + b, 0);
console.log(`time in the database (SQLite: run/all/get, bindings and row conversion included; PostgreSQL: round trips): ${(sqlMs / flows).toFixed(3)} ms per payment`);
console.log('\nper payment, by SQL: count, ms in the database');
for (const [sql, n] of [...seen.entries()].sort((a, b) => (timeBySql.get(b[0]) ?? 0) - (timeBySql.get(a[0]) ?? 0))) {
  console.log(`${(n / flows).toFixed(2).padStart(6)}  ${((timeBySql.get(sql) ?? 0) / flows).toFixed(3).padStart(7)}  ${sql}`);
}
for (const [name, statementsRun] of traced) console.log(`\n${name}:\n  ${statementsRun.join('\n  ')}`);
await kasse.close();
receiver?.close();
if (!process.argv[3]) for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
