import type { AppContext } from '../core/context.ts';
import { processDueBankWork } from '../core/banks/bank-operations.ts';
import { deactivateIdleTestSalesUnits } from '../core/merchants/idle-test-units.ts';
import { expireDuePayments } from '../core/payments/expire.ts';
import { OutboundDispatcher, type AttemptOutcome } from './outbound-dispatcher.ts';
import { ReportMailer } from './report-mailer.ts';
import { runDueSettlementWork } from './settlements.ts';
import { ApiCallRetention } from './api-call-retention.ts';
import { TableStatistics } from './table-statistics.ts';
import { generateDueTransactionReports } from '../core/reports/generate-reports.ts';

/** The idle rule counts days: looking once a minute (of the injected clock) is plenty. */
const IDLE_RULE_INTERVAL_MS = 60_000;

export interface JobRunnerOptions {
  /** How often to look for due work when nothing nudged us. */
  pollIntervalMs: number;
  onError(error: unknown): void;
  /** The operator's metrics: outcomes of outbound attempts, and how long each pass of the runner took. */
  observer?: JobObserver;
}

export interface JobObserver {
  outboundAttempt(kind: string, outcome: AttemptOutcome): void;
  /** Returns the function that ends the pass's timing. */
  passStarted(): () => void;
}

/**
 * Runs the background work of one node: payment timeouts and outbound calls. Polls on a timer (real time;
 * what is *due* is decided by the injected clock) and can be nudged after a commit that enqueued calls.
 * Several nodes may run this against one PostgreSQL database: leases keep them apart.
 */
export class JobRunner {
  readonly dispatcher: OutboundDispatcher;
  readonly apiCallRetention: ApiCallRetention;
  readonly reportMailer: ReportMailer;
  readonly tableStatistics: TableStatistics;
  #timer: NodeJS.Timeout | null = null;
  /** The dispatcher's run in flight; nudges while it runs make it go round once more (#again). */
  #dispatching: Promise<void> | null = null;
  #again = false;
  /** The timed work in flight (expiry, bank work, …): a poll's, or a runOnce's. */
  #timedPass: Promise<void> | null = null;
  #stopped = true;
  #idleRuleDueAtMs = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: JobRunnerOptions,
  ) {
    this.dispatcher = new OutboundDispatcher(ctx, options.observer?.outboundAttempt);
    this.apiCallRetention = new ApiCallRetention(ctx);
    this.reportMailer = new ReportMailer(ctx);
    this.tableStatistics = new TableStatistics(ctx, options.pollIntervalMs);
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Stop polling and wait for the passes in flight: their leased calls are sent and their attempts recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#timedPass;
    await this.#dispatching;
  }

  /**
   * Deliver newly enqueued calls soon. Only the dispatcher runs: a commit that enqueued a callback changed nothing
   * that payment timeouts or bank work depend on, and those run on every poll. Coalesced: a nudge during a run
   * causes one more dispatcher pass.
   */
  nudge(): void {
    if (this.#stopped) return;
    void this.#dispatch();
  }

  /** Run all due work until nothing more is due. The sandbox clock endpoint awaits this. */
  async drain(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await this.runOnce();
      const expired = await expireDuePayments(this.ctx);
      const bankWork = await processDueBankWork(this.ctx);
      const settlementWork = await runDueSettlementWork(this.ctx);
      const reportWork = await this.#reportWork();
      const attempts = await this.dispatcher.runDue();
      // A background pass that started meanwhile may hold work we found nothing of (it won the expiry, it leases
      // the callback): go round once more, and the runOnce() above waits for it.
      const idle = this.#timedPass === null && this.#dispatching === null;
      if (expired === 0 && bankWork === 0 && settlementWork === 0 && reportWork === 0 && attempts === 0 && idle) return;
    }
  }

  /**
   * One poll: payment timeouts, bank work, settlements, API-call retention, the idle rule, transaction reports, tables
   * without statistics (PostgreSQL), then outbound calls; joins the passes already going.
   */
  async runOnce(): Promise<void> {
    await this.#timedWorkPass();
    await this.#dispatch();
  }

  /**
   * The timed work and the dispatcher run side by side: under steady load the nudges keep one dispatcher run going
   * without a break, and expiry above all must not wait for a quiet moment, nor callbacks for the timed work.
   */
  #timedWorkPass(): Promise<void> {
    this.#timedPass ??= (async () => {
      const passEnded = this.options.observer?.passStarted();
      try {
        await this.#timedWork();
      } catch (error) {
        this.options.onError(error);
      } finally {
        passEnded?.();
        this.#timedPass = null;
      }
    })();
    return this.#timedPass;
  }

  /** Starts the dispatcher's run, or has the one going go round once more. */
  #dispatch(): Promise<void> {
    if (this.#dispatching) {
      this.#again = true;
      return this.#dispatching;
    }
    this.#dispatching = (async () => {
      const passEnded = this.options.observer?.passStarted();
      try {
        // Also after stop(): a nudge that came before it (a commit whose callback is due) gets its pass, so a graceful
        // shutdown delivers it. Bounded: once stopped, nudges no longer set #again.
        do {
          this.#again = false;
          await this.dispatcher.runDue();
        } while (this.#again);
      } catch (error) {
        this.options.onError(error);
      } finally {
        passEnded?.();
        this.#dispatching = null;
      }
    })();
    return this.#dispatching;
  }

  async #timedWork(): Promise<void> {
    await expireDuePayments(this.ctx);
    await processDueBankWork(this.ctx);
    await runDueSettlementWork(this.ctx);
    await this.apiCallRetention.runIfDue();
    await this.#idleRuleIfDue();
    await this.#reportWork();
    await this.tableStatistics.onPass();
  }

  /** Test sales units unused for days are deactivated (production mode only; core/merchants/idle-test-units.ts). */
  async #idleRuleIfDue(): Promise<void> {
    const nowMs = this.ctx.clock.nowMs();
    if (nowMs < this.#idleRuleDueAtMs) return;
    this.#idleRuleDueAtMs = nowMs + IDLE_RULE_INTERVAL_MS;
    await deactivateIdleTestSalesUnits(this.ctx);
  }

  /** Transaction reports that fell due, then their e-mails (each generated report's mail is due at once). */
  async #reportWork(): Promise<number> {
    const generated = await generateDueTransactionReports(this.ctx);
    return generated + (await this.reportMailer.runDue());
  }

  #schedule(): void {
    if (this.#stopped) return;
    // A poll's outbound calls join the dispatcher's run (retries and delayed calls fall due without a nudge); the next
    // poll comes an interval after this one's timed work, not after that run, which nudges may keep going.
    this.#timer = setTimeout(() => {
      void this.#timedWorkPass()
        .then(() => {
          if (!this.#stopped) void this.#dispatch();
        })
        .finally(() => this.#schedule());
    }, this.options.pollIntervalMs);
    this.#timer.unref();
  }
}
