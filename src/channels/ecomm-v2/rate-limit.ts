import type { Clock } from '../../domain/clock.ts';

/**
 * The real platform's per-order limits (REFERENCE §15), as fixed one-minute windows on the injected clock.
 * Kept per node in memory: a cluster enforces them per node, which only ever lets more through.
 */
export const RATE_LIMITS = {
  initiate: 2,
  capture: 5,
  refund: 5,
  cancel: 5,
  details: 120,
  status: 120,
} as const;

export type RateLimitedOperation = keyof typeof RATE_LIMITS;

const WINDOW_MS = 60_000;
const MAX_TRACKED_KEYS = 100_000;

export class RateLimiter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();
  constructor(private readonly clock: Clock) {}

  /** Counts the call; false when it is over the limit for this window. */
  allow(operation: RateLimitedOperation, key: string): boolean {
    const nowMs = this.clock.nowMs();
    const id = `${operation}:${key}`;
    const window = this.#windows.get(id);
    // A window that starts after now was opened before the sandbox clock went back to real time (a reset): it is over.
    if (!window || nowMs - window.startMs >= WINDOW_MS || nowMs < window.startMs) {
      if (this.#windows.size >= MAX_TRACKED_KEYS) this.#prune(nowMs);
      this.#windows.set(id, { startMs: nowMs, count: 1 });
      return true;
    }
    window.count++;
    return window.count <= RATE_LIMITS[operation];
  }

  #prune(nowMs: number): void {
    for (const [id, window] of this.#windows) if (nowMs - window.startMs >= WINDOW_MS) this.#windows.delete(id);
    // Still full of live windows: forget the oldest half rather than grow without bound.
    if (this.#windows.size >= MAX_TRACKED_KEYS) {
      let toDrop = this.#windows.size / 2;
      for (const id of this.#windows.keys()) {
        if (toDrop-- <= 0) break;
        this.#windows.delete(id);
      }
    }
  }
}
