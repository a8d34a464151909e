import { randomUUID } from 'node:crypto';
import type { AppContext } from '../core/context.ts';
import { inTransaction } from '../core/transaction.ts';
import { DROPPED_BY_FAULT } from '../core/callbacks/inspect.ts';
import { CALLBACK_KIND } from '../core/callbacks/merchant-calls.ts';
import { dueOutboxClaim, recordAttempt, recordAttempts, type AttemptRecord } from '../store/dialect.ts';
import { liveFaultRules, takeFaultRule } from '../store/repos/faults.ts';
import { together } from '../store/prepared.ts';
import { deferOutbound } from '../store/repos/outbox.ts';
import type { FaultRuleRow, OutboxRow } from '../store/schema.ts';
import { isSuccess } from '../core/callbacks/delivery.ts';
import { deliver } from '../outbound/http-delivery.ts';

const CLAIM_BATCH = 50;
/** Longer than any timeout we allow, so a live worker never loses its row to another. */
const LEASE_MS = 30_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Thrown inside a fault transaction when the lease was lost, so the rule application rolls back with it. */
class LeaseLost extends Error {}

/** Exponential backoff for sales units that turned retries on. */
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Claims due outbound calls (payment callbacks and, later, shipping and consent calls), sends each once,
 * and records the attempt. A row ends `delivered` on 2xx, `dead` when its attempts are used up (O2).
 */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

export class OutboundDispatcher {
  readonly owner = `dispatcher-${randomUUID()}`;
  readonly #recorder: AttemptRecorder;
  constructor(
    private readonly ctx: AppContext,
    /** Told of every attempt this worker recorded (the operator's metrics). */
    private readonly onAttemptRecorded: (kind: string, outcome: AttemptOutcome) => void = () => {},
  ) {
    this.#recorder = new AttemptRecorder(ctx);
  }

  /** Deliver everything due now, in batches; returns the number of attempts made. */
  async runDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const { rows, liveRules } = await this.claim();
      await Promise.all(rows.map((row) => this.attempt(row, liveRules)));
      attempts += rows.length;
      // A short batch means nothing more was due when it was claimed; what arrived since comes with its own nudge.
      if (rows.length < CLAIM_BATCH) return attempts;
    }
  }

  /**
   * The due rows, leased to this worker; on SQLite the claim joins a group-commit batch and shares its fsync
   * (bench/README.md). In the sandbox, with the fault rules for payment callbacks, read in the same round trip
   * (production never reads them). Only a filter: a rule is used up, guarded, in the transaction that applies it.
   */
  private claim(): Promise<{ rows: OutboxRow[]; liveRules: FaultRuleRow[] }> {
    const { store, clock, config } = this.ctx;
    return store.atomicWrite(async (db) => {
      const claim = dueOutboxClaim(db, store.kind, {
        owner: this.owner,
        nowMs: clock.nowMs(),
        leaseNowMs: clock.leaseNowMs?.(),
        leaseMs: LEASE_MS,
        limit: CLAIM_BATCH,
      });
      if (config.mode !== 'sandbox') return { rows: (await together(db, claim))[0].rows, liveRules: [] };
      const [claimed, rules] = await together(db, claim, liveFaultRules(db));
      return { rows: claimed.rows, liveRules: claimed.rows.some((row) => row.kind === CALLBACK_KIND) ? rules.rows : [] };
    });
  }

  private async attempt(row: OutboxRow, liveRules: readonly FaultRuleRow[]): Promise<void> {
    if (await this.appliedFault(row, liveRules)) return;
    const startedAtMs = this.ctx.clock.nowMs();
    const result = await deliver({
      method: row.method,
      url: row.url,
      headers: JSON.parse(row.headers_json) as Record<string, string>,
      body: row.body_json,
      timeoutMs: row.timeout_ms,
    });
    const attemptsMade = row.attempts + 1;
    const delivered = isSuccess(result.httpStatus);
    const exhausted = attemptsMade >= row.max_attempts;
    const nowMs = this.ctx.clock.nowMs();
    const recorded = await this.#recorder.record({
      row,
      owner: this.owner,
      startedAtMs,
      latencyMs: result.latencyMs,
      httpStatus: result.httpStatus,
      responseExcerpt: result.responseExcerpt,
      error: result.error,
      nextState: delivered ? 'delivered' : exhausted ? 'dead' : 'pending',
      nextAttemptAtMs: delivered || exhausted ? row.next_attempt_at_ms : nowMs + retryDelayMs(attemptsMade),
      nowMs,
    });
    if (recorded) this.onAttemptRecorded(row.kind, delivered ? 'delivered' : exhausted ? 'dead' : 'retry');
  }

  /**
   * Sandbox fault rules for payment callbacks: a `delay_callbacks` rule moves a row's first send later on the
   * injected clock (once per row, no attempt); a `drop_callbacks` rule records the attempt as failed without
   * sending it. The rule is used up in the same transaction as the row's change, so a worker that lost its
   * lease consumes nothing. Returns true when a rule took the row.
   */
  private async appliedFault(row: OutboxRow, liveRules: readonly FaultRuleRow[]): Promise<boolean> {
    if (row.kind !== CALLBACK_KIND) return false;
    // The common case, no rules for this sales unit, costs no read and no transaction.
    const live = liveRules.filter((rule) => rule.msn === row.msn);
    if (!live.some((rule) => rule.kind === 'drop_callbacks' || (rule.kind === 'delay_callbacks' && row.delayed === 0))) return false;
    try {
      return await inTransaction(this.ctx, async ({ trx }) => {
        const nowMs = this.ctx.clock.nowMs();
        if (row.delayed === 0) {
          const delay = await takeFaultRule(trx, row.msn, 'delay_callbacks');
          if (delay) {
            if (!(await deferOutbound(trx, { row, owner: this.owner, untilMs: nowMs + delay.delayMs, nowMs }))) throw new LeaseLost();
            return true;
          }
        }
        if (!(await takeFaultRule(trx, row.msn, 'drop_callbacks'))) return false;
        const attemptsMade = row.attempts + 1;
        const exhausted = attemptsMade >= row.max_attempts;
        const recorded = await recordAttempt(trx, this.ctx.store.kind, {
          row,
          owner: this.owner,
          startedAtMs: nowMs,
          latencyMs: 0,
          httpStatus: null,
          responseExcerpt: null,
          error: DROPPED_BY_FAULT,
          nextState: exhausted ? 'dead' : 'pending',
          nextAttemptAtMs: exhausted ? row.next_attempt_at_ms : nowMs + retryDelayMs(attemptsMade),
          nowMs,
        });
        if (!recorded) throw new LeaseLost();
        return true;
      });
    } catch (error) {
      if (error instanceof LeaseLost) return true;
      throw error;
    }
  }
}

/**
 * Records attempts that finished in the same turn of the event loop together (store/dialect.ts recordAttempts): on
 * SQLite in one transaction, one commit (one fsync) for many deliveries instead of one each; on PostgreSQL in one
 * round trip, one implicit transaction. Each row's record is still guarded by its lease, and the caller's attempt
 * ends only once its record is committed, so what an attempt did is never acknowledged before it is durable.
 */
class AttemptRecorder {
  #pending: Array<{ record: AttemptRecord; resolve: (recorded: boolean) => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly ctx: AppContext) {}

  record(record: AttemptRecord): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ record, resolve, reject }) === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    const { store } = this.ctx;
    try {
      const recorded = await store.atomicWrite((db) => recordAttempts(db, store.kind, batch.map(({ record }) => record)));
      batch.forEach(({ resolve }, i) => resolve(recorded[i]!));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
