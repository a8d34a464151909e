/**
 * The after-the-storm checks every reliability test shares: reconcile in-process and through the operator CLI,
 * the outbox's end states, and what a CallbackReceiver saw per URL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { reconcile, type ReconciliationReport } from '../../../src/core/reconcile/reconcile.ts';
import { openStore, type Store } from '../../../src/store/db.ts';
import type { ReceivedRequest } from '../../support/callback-receiver.ts';
import { REPO_ROOT } from './child-kasse.ts';

/** `npx kasse reconcile` (bin/kasse.mjs) against DATABASE_URL: its exit code and its JSON report. */
export async function reconcileWithCli(databaseUrl: string): Promise<{ code: number; report: ReconciliationReport; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  delete env.NODE_TEST_CONTEXT;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/kasse.mjs', 'reconcile'], {
      cwd: REPO_ROOT,
      env,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, report: JSON.parse(stdout) as ReconciliationReport, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string; message: string };
    let report: ReconciliationReport;
    try {
      report = JSON.parse(failure.stdout ?? '') as ReconciliationReport;
    } catch {
      throw new Error(`kasse reconcile failed without a report (code ${failure.code}): ${failure.stderr ?? failure.message}`);
    }
    return { code: typeof failure.code === 'number' ? failure.code : -1, report, stderr: failure.stderr ?? '' };
  }
}

/** Open the database the children use, run `work`, close it again. */
export async function withStore<T>(databaseUrl: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function reconcileDirect(databaseUrl: string): Promise<ReconciliationReport> {
  return withStore(databaseUrl, (store) => reconcile(store));
}

export async function outboxStateCounts(store: Store): Promise<Record<string, number>> {
  const rows = await store.db
    .selectFrom('outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** Wait (bounded) until no outbox row is pending; returns the final counts per state. */
export async function waitForOutboxSettled(store: Store, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await outboxStateCounts(store);
    if ((counts.pending ?? 0) === 0 || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Received callbacks per request path. */
export function callbacksByPath(requests: readonly ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const byPath = new Map<string, ReceivedRequest[]>();
  for (const request of requests) {
    const list = byPath.get(request.url) ?? [];
    list.push(request);
    byPath.set(request.url, list);
  }
  return byPath;
}

export function formatViolations(report: ReconciliationReport): string {
  return report.violations
    .slice(0, 20)
    .map((v) => `${v.invariant} ${v.subject}: ${v.detail}`)
    .join('\n');
}
