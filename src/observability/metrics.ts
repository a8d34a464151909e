import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext } from '../core/context.ts';
import type { AttemptOutcome } from '../jobs/outbound-dispatcher.ts';
import type { JobObserver } from '../jobs/runner.ts';
import { oldestOverdueExpiryMs, outboxBacklog } from '../store/repos/backlog.ts';

/**
 * The operator's metrics (Prometheus text format through prom-client), one registry per Kasse so that several in one
 * process (the tests) do not share series. The request path pays one histogram observe per request; everything that
 * needs the database (backlog, job lag) or the pool is read when Prometheus scrapes, not on the way.
 */
export class KasseMetrics {
  readonly registry = new Registry();
  readonly #requestSeconds = new Histogram({
    name: 'kasse_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status: _count is the number of requests, the buckets their latency',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #outboundAttempts = new Counter({
    name: 'kasse_outbound_attempts_total',
    help: 'Outbound calls to merchants (kind: payment_callback, shipping_details, consent_removal) recorded by this node, by outcome: delivered, retry (failed, will be tried again), dead (failed, attempts used up)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #jobPassSeconds = new Histogram({
    name: 'kasse_job_pass_duration_seconds',
    help: "How long one pass of this node's background jobs took (timeouts, bank work, outbound calls)",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #outboxPending = new Gauge({ name: 'kasse_outbox_pending', help: 'Outbound calls not yet delivered or dead (all nodes)', registers: [this.registry] });
  readonly #outboxDue = new Gauge({ name: 'kasse_outbox_due', help: 'Outbound calls whose time has come and that no attempt has finished yet', registers: [this.registry] });
  readonly #jobLagSeconds = new Gauge({
    name: 'kasse_job_lag_seconds',
    help: 'How late the oldest due work is (job: outbound = the oldest due call, expiry = the oldest payment past its 5-minute window); 0 when nothing is overdue',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });
  readonly #pool = new Gauge({
    name: 'kasse_db_pool',
    help: 'Database connections (state: connections open, busy in use, waiting = queries and transactions queued for one; SQLite has one connection and a queue)',
    labelNames: ['storage', 'state'] as const,
    registers: [this.registry],
  });

  constructor(private readonly ctx: AppContext) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The per-request cost of metrics: one observe. `route` is the pattern (bounded), never the raw URL. */
  observeRequest(route: string | undefined, method: string, statusCode: number, elapsedMs: number): void {
    this.#requestSeconds.observe({ route: route ?? 'unmatched', method, status_code: statusCode }, elapsedMs / 1000);
  }

  readonly jobObserver: JobObserver = {
    outboundAttempt: (kind: string, outcome: AttemptOutcome) => this.#outboundAttempts.inc({ kind, outcome }),
    passStarted: () => {
      const end = this.#jobPassSeconds.startTimer();
      return () => void end();
    },
  };

  /** A job pass timed elsewhere (in the use-case worker, which runs the jobs when there is one). */
  observeJobPass(seconds: number): void {
    this.#jobPassSeconds.observe(seconds);
  }

  /** The whole exposition, with the database-derived gauges read now. */
  async scrape(): Promise<string> {
    const nowMs = this.ctx.clock.nowMs();
    const db = this.ctx.store.db;
    const [backlog, overdueExpiryMs] = await Promise.all([outboxBacklog(db, nowMs), oldestOverdueExpiryMs(db, nowMs)]);
    this.#outboxPending.set(backlog.pending);
    this.#outboxDue.set(backlog.due);
    this.#jobLagSeconds.set({ job: 'outbound' }, backlog.oldestDueAtMs === null ? 0 : (nowMs - backlog.oldestDueAtMs) / 1000);
    this.#jobLagSeconds.set({ job: 'expiry' }, overdueExpiryMs === null ? 0 : (nowMs - overdueExpiryMs) / 1000);
    const pool = this.ctx.store.poolStats();
    const storage = this.ctx.store.kind;
    this.#pool.set({ storage, state: 'connections' }, pool.connections);
    this.#pool.set({ storage, state: 'busy' }, pool.busy);
    this.#pool.set({ storage, state: 'waiting' }, pool.waiting);
    return this.registry.metrics();
  }
}
