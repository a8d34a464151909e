import { deleteApiCallsBefore, type NewApiCall } from '../../store/repos/api-calls.ts';
import { runUseCase } from '../use-cases.ts';
import type { AppContext } from '../context.ts';

export type ApiCallRecord = NewApiCall;

/** How long a recorded call may wait in memory before it is written. */
export const API_CALL_FLUSH_INTERVAL_MS = 200;
/** A buffer this full is written at once instead of waiting for the timer. */
const FLUSH_AT_BUFFERED = 500;
/** If the database cannot keep up, older unwritten recordings are dropped beyond this (it is a debugging aid). */
const MAX_BUFFERED = 20_000;

/**
 * The merchant API-call recording (the API dashboard and the integration checklist read it). The request path only
 * appends to an in-memory buffer; a timer (or a full buffer) writes the buffer in one transaction of multi-row INSERTs
 * (store/repos/api-calls.ts), apart from any payment's transaction, and `close()` writes what is left. A crash loses at most the last flush interval of recordings:
 * accepted for a debugging aid, so that the hot path never waits for a write.
 */
export class ApiCallRecorder {
  #buffer: ApiCallRecord[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: AppContext,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(call: ApiCallRecord): void {
    if (this.#buffer.length >= MAX_BUFFERED) this.#buffer.shift();
    this.#buffer.push(call);
    if (this.#buffer.length >= FLUSH_AT_BUFFERED) void this.flush();
    else if (this.#timer === null) {
      this.#timer = setTimeout(() => void this.flush(), API_CALL_FLUSH_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  /** Write everything recorded so far; resolves once it is in the database (readers call it to see their own calls). */
  flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#buffer;
    this.#buffer = [];
    // One flush at a time, in order: a reader's flush waits for the one already writing.
    this.#flushing = this.#flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        // One transaction: on SQLite it joins a group-commit batch and shares its fsync with the payments'.
        await runUseCase(this.ctx, 'storeApiCalls', batch);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.#flushing;
  }

  /** Graceful shutdown: write what is buffered (before the store closes). */
  close(): Promise<void> {
    return this.flush();
  }
}

const DAY_MS = 86_400_000;

/** The retention job: calls recorded more than `apiCallRetentionDays` ago (by the injected clock) are deleted. */
export function pruneApiCalls(ctx: AppContext): Promise<number> {
  return deleteApiCallsBefore(ctx.store.db, ctx.clock.nowMs() - ctx.config.apiCallRetentionDays * DAY_MS);
}
