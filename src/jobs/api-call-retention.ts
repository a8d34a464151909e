import { pruneApiCalls } from '../core/api-calls/recorder.ts';
import type { AppContext } from '../core/context.ts';

/** How often (on the injected clock) a node deletes recorded API calls past their retention. */
export const API_CALL_PRUNE_INTERVAL_MS = 3_600_000;

/** The retention job of the API-call recording: run from the runner's timed work, at most once an hour per node. */
export class ApiCallRetention {
  #nextAtMs = 0;

  constructor(private readonly ctx: AppContext) {}

  /** Returns how many recorded calls were deleted (0 when it was not due). */
  async runIfDue(): Promise<number> {
    const nowMs = this.ctx.clock.nowMs();
    if (nowMs < this.#nextAtMs) return 0;
    this.#nextAtMs = nowMs + API_CALL_PRUNE_INTERVAL_MS;
    return pruneApiCalls(this.ctx);
  }
}
