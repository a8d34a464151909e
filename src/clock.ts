import type { Clock } from './domain/clock.ts';

/**
 * The only place that reads the wall clock. Everything else receives a Clock, so tests move time by hand
 * and the sandbox can travel forward (`POST /_kasse/sandbox/clock`).
 */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that runs with its base and can be moved forward. The sandbox uses it over the system clock. */
export class AdjustableClock implements Clock {
  #offsetMs: number;
  constructor(
    private readonly base: Clock,
    offsetMs = 0,
  ) {
    this.#offsetMs = offsetMs;
  }
  nowMs(): number {
    return this.base.nowMs() + this.#offsetMs;
  }
  get offsetMs(): number {
    return this.#offsetMs;
  }
  /** Time travel does not lapse leases: another node (or this one's drain) would send an in-flight callback again. */
  leaseNowMs(): number {
    return this.base.nowMs();
  }
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`time only moves forward, got ${ms}`);
    this.#offsetMs += ms;
    return this.nowMs();
  }
  /** Back to the base clock's time (the sandbox reset: no data is left that lives in the future). */
  resetOffset(): number {
    this.#offsetMs = 0;
    return this.nowMs();
  }
}

/** A clock that stands still until moved: for tests. Its "real time" is where it started. */
export class ManualClock implements Clock {
  readonly #startMs: number;
  constructor(private currentMs: number) {
    this.#startMs = currentMs;
  }
  nowMs(): number {
    return this.currentMs;
  }
  advance(ms: number): number {
    this.currentMs += ms;
    return this.currentMs;
  }
  resetOffset(): number {
    this.currentMs = this.#startMs;
    return this.currentMs;
  }
}
