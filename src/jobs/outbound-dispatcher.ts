import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app/context.ts';
import { inTransaction } from '../app/transaction.ts';
import { claimDueOutboxRows } from '../store/dialect.ts';
import { recordAttempt } from '../store/repos/outbox.ts';
import type { OutboxRow } from '../store/schema.ts';
import { deliver, isSuccess } from './http-delivery.ts';

const CLAIM_BATCH = 50;
/** Longer than any timeout we allow, so a live worker never loses its row to another. */
const LEASE_MS = 30_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Exponential backoff for sales units that turned retries on. */
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attemptsMade - 1));
}

/**
 * Claims due outbound calls (payment callbacks and, later, shipping and consent calls), sends each once,
 * and records the attempt. A row ends `delivered` on 2xx, `dead` when its attempts are used up (O2).
 */
export class OutboundDispatcher {
  readonly owner = `dispatcher-${randomUUID()}`;
  constructor(private readonly ctx: AppContext) {}

  /** Deliver everything due now, in batches; returns the number of attempts made. */
  async runDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const rows = await claimDueOutboxRows(this.ctx.store.db, this.ctx.store.kind, {
        owner: this.owner,
        nowMs: this.ctx.clock.nowMs(),
        leaseMs: LEASE_MS,
        limit: CLAIM_BATCH,
      });
      if (rows.length === 0) return attempts;
      await Promise.all(rows.map((row) => this.attempt(row)));
      attempts += rows.length;
    }
  }

  private async attempt(row: OutboxRow): Promise<void> {
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
    await inTransaction(this.ctx, (trx) =>
      recordAttempt(trx, {
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
      }),
    );
  }
}
