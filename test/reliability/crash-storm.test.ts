// Goal: a Kasse killed with SIGKILL at random moments loses no acknowledged effect, doubles none, and delivers every
// callback once it is back (invariants P1–P5, L1–L3, O1–O3 across crashes; DESIGN test method 6).
// Method: a child Kasse (`node --import tsx src/main.ts`) on a fresh database per dialect; merchant flows from a seeded
// plan run on several workers, every mutating request with an X-Request-Id and retried with the same key and body until
// it gets a definitive answer; meanwhile a kill plan (same seed) SIGKILLs the child and starts it again on the same
// database. Afterwards: each acknowledged request appears exactly once in /details under its requestId, no rejected
// request left an effect, summaries equal the sums of the acknowledged operations, every acknowledged request replays
// the identical answer, no outbox row is left pending, each reserved payment's RESERVED callback arrived (at least once;
// duplicates are reported), and reconciliation is clean in-process and through `npx kasse reconcile` (exit 0).
// Size: RELIABILITY=full → 20 kills and a larger load; default → 5 kills. SEED=<n> replays a plan.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { freshDatabase, testDialects, type DialectName } from '../support/databases.ts';
import { createSandboxMerchant } from '../support/merchant-client.ts';
import { ChildKasse, REPO_ROOT, liveChildren, stopAllChildren } from './support/child-kasse.ts';
import { callbacksByPath, formatViolations, reconcileDirect, reconcileWithCli, waitForOutboxSettled, withStore } from './support/oracle.ts';
import { FULL, Prng, seedFromEnv } from './support/prng.ts';
import { RetryingMerchant, landingTokenOf, vippsErrorCode, type DefinitiveAnswer } from './support/retrying-merchant.ts';

const SEED = seedFromEnv(20260105);
const KILLS = FULL ? 20 : 5;
const MIN_FLOWS = FULL ? 240 : 30;
const MAX_FLOWS = FULL ? 900 : 120;
const WORKERS = FULL ? 8 : 6;
/** Uptime before each kill: long enough for load to build up, short enough to hit requests in flight. */
const UPTIME_MS: [number, number] = [150, 700];
/** A crashed dispatcher's lease lapses after this much real time (LEASE_MS in src/jobs/outbound-dispatcher.ts). */
const LEASE_MS = 30_000;
/** SQLite: instruments the child's COMMITs (group-commit batches) and, when armed, SIGKILLs it at one. */
const COMMIT_PRELOAD = join(REPO_ROOT, 'test/reliability/support/kill-at-commit.mjs');
/** How long the kill plan waits past the uptime for an armed start to kill itself at a COMMIT. */
const ARMED_GRACE_MS = 5_000;
/** How much later than its sender's death the CallbackReceiver may record a request that was already on the wire. */
const RECEIPT_LAG_MS = 1_000;

type OpKind = 'approve' | 'capture' | 'refund' | 'cancel';
interface Op {
  kind: OpKind;
  requestId: string;
  amountOre?: number;
  release?: boolean;
}
interface FlowPlan {
  orderId: string;
  amountOre: number;
  phone: string;
  shape: string;
  ops: Op[];
}
interface Sent {
  op: Op;
  answer: DefinitiveAnswer;
}
interface FlowResult {
  plan: FlowPlan;
  initiate: DefinitiveAnswer;
  /** The initiate committed but its answer was lost in a crash: the retry got Merchant 34 (initiate is not idempotent). */
  initiateLost: boolean;
  sent: Sent[];
}

function planFlow(rng: Prng, index: number): FlowPlan {
  const orderId = `cs${SEED.toString(36)}-${index}`;
  // Amounts below 100 øre are invalid for capture and refund (request-rules.ts): every planned amount is at least that.
  const amountOre = rng.int(400, 50_000);
  const phone = `9${String(rng.int(0, 15)).padStart(7, '0')}`;
  const shape = rng.weighted([
    [50, 'capture'],
    [15, 'void'],
    [10, 'partial-release'],
    [10, 'cancel-initiated'],
    [5, 'initiate-only'],
    [10, 'overcapture'],
  ] as const);
  const id = (suffix: string) => `${orderId}-${suffix}`;
  const ops: Op[] = [];
  switch (shape) {
    case 'capture': {
      ops.push({ kind: 'approve', requestId: id('a') });
      const captures = rng.int(1, 3);
      for (let i = 1; i <= captures; i++) ops.push({ kind: 'capture', requestId: id(`c${i}`), amountOre: rng.int(100, Math.floor(amountOre / 3)) });
      const refunds = rng.int(0, 2);
      for (let i = 1; i <= refunds; i++) ops.push({ kind: 'refund', requestId: id(`r${i}`), amountOre: rng.int(100, Math.max(100, Math.ceil(amountOre / 3))) });
      break;
    }
    case 'overcapture':
      // Captures that together exceed the reservation: some are refused (61) and must leave no effect.
      ops.push({ kind: 'approve', requestId: id('a') });
      for (let i = 1; i <= 3; i++) ops.push({ kind: 'capture', requestId: id(`c${i}`), amountOre: rng.int(Math.ceil(amountOre / 3), amountOre) });
      ops.push({ kind: 'refund', requestId: id('r1'), amountOre: rng.int(100, amountOre) });
      break;
    case 'void':
      ops.push({ kind: 'approve', requestId: id('a') }, { kind: 'cancel', requestId: id('x') });
      break;
    case 'partial-release':
      ops.push(
        { kind: 'approve', requestId: id('a') },
        { kind: 'capture', requestId: id('c1'), amountOre: rng.int(100, amountOre - 100) },
        { kind: 'cancel', requestId: id('x'), release: true },
      );
      break;
    case 'cancel-initiated':
      ops.push({ kind: 'cancel', requestId: id('x') });
      break;
    case 'initiate-only':
      break;
  }
  return { orderId, amountOre, phone, shape, ops };
}

async function runFlow(merchant: RetryingMerchant, plan: FlowPlan, callbackPrefix: string): Promise<FlowResult> {
  const initiate = await merchant.initiate(plan.orderId, plan.amountOre, callbackPrefix, `${plan.orderId}-i`);
  const result: FlowResult = { plan, initiate, initiateLost: false, sent: [] };
  if (initiate.status !== 200) {
    // Initiate is not idempotent (REFERENCE §4): a retry after a lost answer finds its own payment. Like a real
    // merchant we cannot learn the landing URL any more, so the order is left to time out.
    if (initiate.status === 400 && vippsErrorCode(initiate.body) === '34' && initiate.interrupted) {
      result.initiateLost = true;
      return result;
    }
    throw new Error(`${plan.orderId}: initiate answered ${initiate.status} ${initiate.text}`);
  }
  const landingToken = landingTokenOf(initiate.body.url);
  for (const op of plan.ops) {
    let answer: DefinitiveAnswer;
    switch (op.kind) {
      case 'approve':
        answer = await merchant.approve(plan.orderId, landingToken, plan.phone, op.requestId);
        break;
      case 'capture':
        answer = await merchant.capture(plan.orderId, op.amountOre ?? 0, op.requestId);
        break;
      case 'refund':
        answer = await merchant.refund(plan.orderId, op.amountOre ?? 0, op.requestId);
        break;
      case 'cancel':
        answer = await merchant.cancel(plan.orderId, op.requestId, op.release);
        break;
    }
    result.sent.push({ op, answer });
    if (op.kind === 'approve' && answer.status !== 200) throw new Error(`${plan.orderId}: approve answered ${answer.status} ${answer.text}`);
    if ((op.kind === 'cancel' || (op.kind === 'capture' && plan.shape !== 'overcapture')) && answer.status !== 200) {
      throw new Error(`${plan.orderId}: ${op.kind} ${op.requestId} answered ${answer.status} ${answer.text}`);
    }
  }
  return result;
}

const LOG_NAME: Record<OpKind, readonly string[]> = {
  approve: ['RESERVE'],
  capture: ['CAPTURE'],
  refund: ['REFUND'],
  cancel: ['CANCEL', 'VOID'],
};

interface LogEntry {
  amount: number;
  operation: string;
  requestId: string;
  operationSuccess: boolean;
  timeStamp: string;
}

/** The checks on one flow against its /details; returns how many acknowledged requests were replays of a commit made before the crash. */
function checkFlow(flow: FlowResult, details: DefinitiveAnswer): { replayedCommits: number } {
  const { plan } = flow;
  const where = `${plan.orderId} (${plan.shape})`;
  assert.equal(details.status, 200, `${where}: details ${details.text}`);
  const log = (details.body.transactionLogHistory as LogEntry[]).slice().reverse();
  assert.equal(log.filter((e) => e.operation === 'INITIATE').length, 1, `${where}: one INITIATE`);
  let replayedCommits = flow.initiateLost ? 1 : 0;
  if (flow.initiateLost) {
    assert.equal(log.length, 1, `${where}: a payment whose initiate answer was lost has only its INITIATE`);
    return { replayedCommits };
  }
  const acked = new Set(flow.sent.filter((s) => s.answer.status === 200).map((s) => s.op.requestId));
  let captured = 0;
  let refunded = 0;
  for (const { op, answer } of flow.sent) {
    if (op.kind === 'approve') {
      const reserves = log.filter((e) => e.operation === 'RESERVE');
      assert.equal(reserves.length, 1, `${where}: exactly one RESERVE, got ${JSON.stringify(log)}`);
      assert.equal(reserves[0]?.operationSuccess, true, `${where}: the reservation succeeded`);
      if (answer.interrupted && answer.firstFailureAtMs !== null && Date.parse(reserves[0]?.timeStamp ?? '') < answer.firstFailureAtMs) replayedCommits++;
      continue;
    }
    const entries = log.filter((e) => e.requestId === op.requestId && LOG_NAME[op.kind].includes(e.operation));
    if (answer.status === 200) {
      assert.equal(entries.length, 1, `${where}: ${op.kind} ${op.requestId} was acknowledged and must appear exactly once; log ${JSON.stringify(log)}`);
      const entry = entries[0]!;
      assert.equal(entry.operationSuccess, true, `${where}: ${op.requestId} succeeded`);
      if (op.kind === 'capture' || op.kind === 'refund') {
        assert.equal(entry.amount, op.amountOre, `${where}: ${op.requestId} amount`);
        assert.equal(answer.body.transactionInfo.amount, op.amountOre, `${where}: ${op.requestId} answered amount`);
        if (op.kind === 'capture') captured += entry.amount;
        else refunded += entry.amount;
      }
      if (answer.interrupted && answer.firstFailureAtMs !== null && Date.parse(entry.timeStamp) < answer.firstFailureAtMs) replayedCommits++;
    } else {
      assert.ok(answer.status >= 400 && answer.status < 500, `${where}: ${op.requestId} definitive ${answer.status}`);
      assert.equal(entries.filter((e) => e.operationSuccess).length, 0, `${where}: rejected ${op.kind} ${op.requestId} (${answer.text}) left an effect`);
    }
  }
  for (const entry of log) {
    if (entry.requestId !== '') assert.ok(acked.has(entry.requestId), `${where}: ${entry.operation} ${entry.requestId} happened but was never acknowledged`);
  }
  const approved = flow.sent.some((s) => s.op.kind === 'approve');
  if (approved) {
    const summary = details.body.transactionSummary;
    assert.ok(summary, `${where}: a reserved payment has a summary`);
    assert.equal(summary.capturedAmount, captured, `${where}: captured = Σ acknowledged captures`);
    assert.equal(summary.refundedAmount, refunded, `${where}: refunded = Σ acknowledged refunds`);
  }
  return { replayedCommits };
}

/** Every acknowledged (and every rejected) mutating request, sent once more with its key: the identical answer. */
async function replayAll(merchant: RetryingMerchant, flows: FlowResult[]): Promise<number> {
  let replayed = 0;
  for (const flow of flows) {
    const landingToken = flow.initiate.status === 200 ? landingTokenOf(flow.initiate.body.url) : '';
    for (const { op, answer } of flow.sent) {
      const again =
        op.kind === 'approve'
          ? await merchant.approve(flow.plan.orderId, landingToken, flow.plan.phone, op.requestId)
          : op.kind === 'capture'
            ? await merchant.capture(flow.plan.orderId, op.amountOre ?? 0, op.requestId)
            : op.kind === 'refund'
              ? await merchant.refund(flow.plan.orderId, op.amountOre ?? 0, op.requestId)
              : await merchant.cancel(flow.plan.orderId, op.requestId, op.release);
      assert.equal(again.status, answer.status, `${flow.plan.orderId} ${op.requestId}: replay status`);
      if (answer.status === 200) assert.deepEqual(again.body, answer.body, `${flow.plan.orderId} ${op.requestId}: replay body`);
      else assert.equal(vippsErrorCode(again.body), vippsErrorCode(answer.body), `${flow.plan.orderId} ${op.requestId}: replayed error`);
      replayed++;
    }
  }
  return replayed;
}

async function crashStorm(dialect: DialectName): Promise<void> {
  const started = Date.now();
  const database = await freshDatabase(dialect);
  const receiver = await new CallbackReceiver().start();
  let child: ChildKasse | null = null;
  // SQLite: every start records its group-commit batches in a file of its own (what a kill cut off survives the kill),
  // and every other start is armed to SIGKILL itself right before or right after the COMMIT of a batch of ≥ 2 commands.
  const batchDir = mkdtempSync(join(tmpdir(), 'kasse-storm-batches-'));
  const statsFile = (start: number) => join(batchDir, `stats-${start}.json`);
  const reportFile = (start: number) => join(batchDir, `kill-${start}.json`);
  const startEnv = (start: number): Record<string, string> =>
    dialect !== 'sqlite'
      ? {}
      : {
          KASSE_TEST_BATCH_STATS: statsFile(start),
          // Not the last start: nothing would start it again.
          ...(start % 2 === 1 && start < KILLS
            ? { KASSE_TEST_KILL_AT: start % 4 === 1 ? 'before' : 'after', KASSE_TEST_KILL_MIN_COMMANDS: '2', KASSE_TEST_KILL_REPORT: reportFile(start) }
            : {}),
        };
  try {
    child = await ChildKasse.start({
      databaseUrl: database.url,
      name: `crash-storm-${dialect}`,
      env: dialect === 'sqlite' ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${COMMIT_PRELOAD}`.trim(), ...startEnv(0) } : {},
    });
    const kasse = child;
    const credentials = await createSandboxMerchant(kasse.baseUrl, { rateLimits: false, name: 'Crash storm shop' });
    const merchant = new RetryingMerchant(credentials, () => kasse.baseUrl);
    await merchant.token();
    const callbackPrefix = `${receiver.url}/cb`;
    const rng = new Prng(SEED);
    const planRng = rng.fork();
    const killRng = rng.fork();

    // The kill plan runs beside the load; the load keeps going until every kill has happened.
    let killsDone = false;
    let loadFailed = false;
    // Every death of the child: the planned kills, and an armed start that killed itself at a COMMIT (selfKilled).
    const killLog: Array<{ atMs: number; restartMs: number; selfKilled?: true }> = [];
    const killer = (async () => {
      for (let k = 0; k < KILLS && !loadFailed; k++) {
        await new Promise((resolve) => setTimeout(resolve, killRng.int(...UPTIME_MS)));
        // An armed start is given a little longer to reach a batch of ≥ 2 transactions and die at its COMMIT.
        const armedUntil = Date.now() + ARMED_GRACE_MS;
        while (startEnv(k).KASSE_TEST_KILL_AT !== undefined && kasse.running && Date.now() < armedUntil) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const atMs = Date.now();
        await kasse.kill();
        await new Promise((resolve) => setTimeout(resolve, killRng.int(0, 150)));
        try {
          await kasse.start(startEnv(k + 1));
        } catch (error) {
          // An armed start can reach a batch of ≥ 2 transactions and kill itself at its COMMIT before it answered its
          // first health check (the load is already knocking): that is the kill it was armed for, so the next round
          // just starts it again. Any other failure to start is a failure.
          if (startEnv(k + 1).KASSE_TEST_KILL_AT === undefined || !existsSync(reportFile(k + 1))) throw error;
          killLog.push({ atMs: Date.now(), restartMs: 0, selfKilled: true });
        }
        killLog.push({ atMs, restartMs: Date.now() - atMs });
      }
      killsDone = true;
    })().catch((error: unknown) => {
      merchant.stats.stopped = true; // no child to talk to: let the workers stop instead of retrying to their deadline
      throw error;
    });

    const flows: FlowResult[] = [];
    let nextIndex = 0;
    const plans: FlowPlan[] = [];
    const takePlan = (): FlowPlan | null => {
      if (nextIndex >= MAX_FLOWS || (nextIndex >= MIN_FLOWS && killsDone)) return null;
      while (plans.length <= nextIndex) plans.push(planFlow(planRng, plans.length));
      return plans[nextIndex++]!;
    };
    const workers = Array.from({ length: WORKERS }, async () => {
      try {
        for (let plan = takePlan(); plan !== null && !loadFailed; plan = takePlan()) flows.push(await runFlow(merchant, plan, callbackPrefix));
      } catch (error) {
        // Stop the kill plan and the other workers (also those in the middle of retrying); the error is reported below.
        loadFailed = true;
        merchant.stats.stopped = true;
        throw error;
      }
    });
    // A failing worker must not leave the killer running unobserved (and vice versa).
    const [load, kills] = await Promise.allSettled([Promise.all(workers), killer]);
    if (kills.status === 'rejected') throw kills.reason;
    if (load.status === 'rejected') throw load.reason;
    assert.equal(killLog.filter((k) => !k.selfKilled).length, KILLS);
    const loadDoneAt = Date.now();
    const groupCommit = dialect === 'sqlite' ? groupCommitReport(KILLS + 1, statsFile, reportFile) : undefined;
    // How we know the storm exercised group commit: batches of more than one command committed under its load.
    if (groupCommit) assert.ok(groupCommit.multiCommandBatches > 0, `no batch of more than one command formed: ${JSON.stringify(groupCommit)}`);

    // A dispatcher killed between claiming a callback and recording it holds the row until its lease lapses (30 s of
    // real time; sandbox time travel does not lapse leases), then the running child sends it: wait for that.
    const settleStarted = Date.now();
    const outbox = await withStore(database.url, (store) => waitForOutboxSettled(store, LEASE_MS + 30_000));
    const settleMs = Date.now() - settleStarted;
    assert.equal(outbox.pending ?? 0, 0, `no outbox row left pending: ${JSON.stringify(outbox)}`);
    assert.equal(outbox.dead ?? 0, 0, `no callback given up (the receiver always answers 200): ${JSON.stringify(outbox)}`);

    // Effects: exactly once per acknowledged request, none for rejected ones.
    let replayedCommits = 0;
    for (const flow of flows) replayedCommits += checkFlow(flow, await merchant.details(flow.plan.orderId)).replayedCommits;
    const replays = await replayAll(merchant, flows);

    // Callbacks: each reserved payment's RESERVED at least once; nothing for payments that never reserved.
    const reservedOrders = new Set(flows.filter((f) => f.sent.some((s) => s.op.kind === 'approve')).map((f) => f.plan.orderId));
    await receiver.waitFor(reservedOrders.size, 15_000).catch(() => undefined);
    const byPath = callbacksByPath(receiver.requests);
    let duplicateCallbacks = 0;
    const duplicateGapsMs: number[] = [];
    /** When the sender of each duplicated callback sent it first: while starting up or while running. */
    const duplicateSends: string[] = [];
    for (const orderId of reservedOrders) {
      const got = byPath.get(`/cb/v2/payments/${orderId}`) ?? [];
      assert.ok(got.length >= 1, `${orderId}: RESERVED callback received`);
      for (const callback of got) assert.equal((callback.body as { transactionInfo: { status: string } }).transactionInfo.status, 'RESERVED');
      duplicateCallbacks += got.length - 1;
      // At-least-once is the contract, but a second send must be explained by a crash: the sender died after the
      // merchant got the callback and before it recorded the attempt, and the row was sent again after its lease lapsed.
      for (const [first, second] of got.slice(0, -1).map((r, i) => [r, got[i + 1]!] as const)) {
        // The receiver may handle a request a moment after the kill of its sender was logged: allow for that.
        const kills = killLog.filter((k) => k.atMs >= first.receivedAt - RECEIPT_LAG_MS && k.atMs <= second.receivedAt);
        const kill = kills.sort((a, b) => Math.abs(a.atMs - first.receivedAt) - Math.abs(b.atMs - first.receivedAt))[0];
        assert.ok(kill, `${orderId}: RESERVED sent twice (${first.receivedAt}, ${second.receivedAt}) without a kill in between`);
        duplicateGapsMs.push(kill.atMs - first.receivedAt);
        const life = kasse.lifetimes.find((l) => l.spawnedAt <= first.receivedAt && (l.endedAt ?? Infinity) + RECEIPT_LAG_MS >= first.receivedAt);
        duplicateSends.push(
          life === undefined
            ? 'unknown'
            : life.readyAt === undefined || first.receivedAt < life.readyAt
              ? `starting (${first.receivedAt - life.spawnedAt} ms after spawn)`
              : `running (${first.receivedAt - life.readyAt} ms after ready)`,
        );
      }
    }
    for (const path of byPath.keys()) assert.ok(reservedOrders.has(path.replace('/cb/v2/payments/', '')), `unexpected callback ${path}`);
    assert.equal(outbox.delivered ?? 0, reservedOrders.size, 'one delivered outbox row per reserved payment');

    const logical = merchant.stats.summary();
    await kasse.stop();
    const direct = await reconcileDirect(database.url);
    assert.ok(direct.ok, formatViolations(direct));
    const cli = await reconcileWithCli(database.url);
    assert.equal(cli.code, 0, `npx kasse reconcile: ${formatViolations(cli.report)} ${cli.stderr}`);
    assert.equal(cli.report.ok, true);

    const restartTimes = killLog.filter((k) => !k.selfKilled).map((k) => k.restartMs).sort((a, b) => a - b);
    // Errors the children logged (LOG_LEVEL=warn): background job failures would explain late or repeated callbacks.
    const childErrors = kasse
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)|background job failed/.test(line));
    if (childErrors.length > 0) console.log(`[crash-storm ${dialect}] child errors:\n${childErrors.slice(0, 10).join('\n')}`);
    console.log(
      `[crash-storm ${dialect}] seed=${SEED} full=${FULL} ${JSON.stringify({
        flows: flows.length,
        shapes: Object.fromEntries([...new Set(flows.map((f) => f.plan.shape))].map((s) => [s, flows.filter((f) => f.plan.shape === s).length])),
        kills: killLog.length,
        starts: kasse.starts,
        restartMsMedian: restartTimes[Math.floor(restartTimes.length / 2)],
        restartMsMax: restartTimes.at(-1),
        ...logical,
        initiateAnswersLost: flows.filter((f) => f.initiateLost).length,
        groupCommit,
        replayedCommits,
        replaysChecked: replays,
        callbacks: { reservedPayments: reservedOrders.size, received: receiver.requests.length, duplicates: duplicateCallbacks, msFromFirstSendToKill: duplicateGapsMs, firstSentWhile: duplicateSends },
        outbox,
        reconcile: direct.checked,
        childErrorLines: childErrors.length,
        outboxSettleMs: settleMs,
        loadMs: loadDoneAt - started,
        totalMs: Date.now() - started,
      })}`,
    );
  } catch (error) {
    if (child) process.stderr.write(`[crash-storm ${dialect}] seed=${SEED} child output:\n${child.output()}\n`);
    throw new Error(`[crash storm on ${dialect}, seed ${SEED}; replay with SEED=${SEED}${FULL ? ' RELIABILITY=full' : ''}] ${(error as Error).message}`, { cause: error });
  } finally {
    await child?.stop();
    await receiver.close();
    await database.drop();
    rmSync(batchDir, { recursive: true, force: true });
  }
}

/** Over all starts of a SQLite storm: batches formed, and what the kills cut off (from the preload's files). */
function groupCommitReport(starts: number, statsFile: (start: number) => string, reportFile: (start: number) => string) {
  const report = { batches: 0, multiCommandBatches: 0, largestBatch: 0, killsInsideBatch: 0, killsInsideMultiCommandBatch: 0, killsAtCommit: 0 };
  for (let start = 0; start < starts; start++) {
    // One file per thread that wrote (the main thread's, and the use-case worker's when it runs; kill-at-commit.mjs).
    const dir = dirname(statsFile(start));
    const own = basename(statsFile(start));
    const files = readdirSync(dir).filter((name) => name === own || (name.startsWith(`${own}.thread`) && !name.endsWith('.tmp')));
    // What a kill cut off: the commands of the batch open in the thread that held most (threads batch separately).
    let openCommands = 0;
    for (const file of files) {
      const stats = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { batches: number; multiCommandBatches: number; largest: number; openCommands: number };
      report.batches += stats.batches;
      report.multiCommandBatches += stats.multiCommandBatches;
      report.largestBatch = Math.max(report.largestBatch, stats.largest);
      openCommands = Math.max(openCommands, stats.openCommands);
    }
    // The last start is stopped, not killed.
    if (start < starts - 1 && openCommands > 0) report.killsInsideBatch++;
    if (start < starts - 1 && openCommands > 1) report.killsInsideMultiCommandBatch++;
    if (existsSync(reportFile(start))) report.killsAtCommit++;
  }
  return report;
}

after(async () => {
  await stopAllChildren();
  assert.equal(liveChildren(), 0, 'no Kasse child outlives the test');
});

// The dialects run side by side: most of a storm's time is spent waiting (restarts, the lease of a killed sender).
describe('crash storm', { concurrency: true }, async () => {
  for (const dialect of testDialects()) {
    test(`${dialect}: ${KILLS} SIGKILLs under retried load: no lost or doubled effect, callbacks delivered, reconcile clean`, { timeout: FULL ? 900_000 : 240_000 }, () =>
      crashStorm(dialect),
    );
  }
});
