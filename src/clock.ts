import type { Clock } from './domain/clock.ts';

/**
 * The only place that reads the wall clock. Everything else receives a Clock, so tests move time by hand
 * and the sandbox can travel forward (`POST /_kasse/sandbox/clock`).
 */
export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * A clock's state in shared memory: the use-case worker (src/runtime) rebuilds the clock over the same memory with
 * `clockFromShared`, so moving the clock in one thread moves it in both.
 */
export interface SharedClockState {
  kind: 'adjustable' | 'manual';
  buffer: SharedArrayBuffer;
}

/** A clock another thread can share (see SharedClockState). */
export interface ShareableClock extends Clock {
  shared(): SharedClockState;
}

/** Whole milliseconds in shared memory, read and written atomically. */
class SharedMs {
  readonly #cells: BigInt64Array;
  constructor(cellsOrBuffer: number | SharedArrayBuffer) {
    this.#cells = new BigInt64Array(typeof cellsOrBuffer === 'number' ? new SharedArrayBuffer(8 * cellsOrBuffer) : cellsOrBuffer);
  }
  get buffer(): SharedArrayBuffer {
    return this.#cells.buffer as SharedArrayBuffer;
  }
  get(cell: number): number {
    return Number(Atomics.load(this.#cells, cell));
  }
  set(cell: number, ms: number): void {
    Atomics.store(this.#cells, cell, BigInt(ms));
  }
  add(cell: number, ms: number): number {
    return Number(Atomics.add(this.#cells, cell, BigInt(ms))) + ms;
  }
}

/**
 * A clock that runs with its base and can be moved forward: the sandbox runs on one over the system clock. The offset
 * is shared memory (`clockFromShared` in another thread gives a clock over the same offset).
 */
export class AdjustableClock implements ShareableClock {
  readonly #offsetMs: SharedMs;
  constructor(
    private readonly base: Clock,
    offset: number | SharedArrayBuffer = 0,
  ) {
    this.#offsetMs = new SharedMs(typeof offset === 'number' ? 1 : offset);
    if (typeof offset === 'number') this.#offsetMs.set(0, offset);
  }
  nowMs(): number {
    return this.base.nowMs() + this.offsetMs;
  }
  get offsetMs(): number {
    return this.#offsetMs.get(0);
  }
  /** Time travel does not lapse leases: another node (or this one's drain) would send an in-flight callback again. */
  leaseNowMs(): number {
    return this.base.nowMs();
  }
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`time only moves forward, got ${ms}`);
    this.#offsetMs.add(0, ms);
    return this.nowMs();
  }
  /** Back to the base clock's time (the sandbox reset: no data is left that lives in the future). */
  resetOffset(): number {
    this.#offsetMs.set(0, 0);
    return this.nowMs();
  }
  /** Only over the system clock: the other thread's clock runs on its own system clock. */
  shared(): SharedClockState {
    if (this.base !== systemClock) throw new Error('only a clock over the system clock can be shared with another thread');
    return { kind: 'adjustable', buffer: this.#offsetMs.buffer };
  }
}

const CURRENT = 0;
const START = 1;

/** A clock that stands still until moved: for tests. Its "real time" is where it started. */
export class ManualClock implements ShareableClock {
  readonly #ms: SharedMs;
  constructor(start: number | SharedArrayBuffer) {
    this.#ms = new SharedMs(typeof start === 'number' ? 2 : start);
    if (typeof start === 'number') {
      this.#ms.set(CURRENT, start);
      this.#ms.set(START, start);
    }
  }
  nowMs(): number {
    return this.#ms.get(CURRENT);
  }
  advance(ms: number): number {
    return this.#ms.add(CURRENT, ms);
  }
  resetOffset(): number {
    this.#ms.set(CURRENT, this.#ms.get(START));
    return this.nowMs();
  }
  shared(): SharedClockState {
    return { kind: 'manual', buffer: this.#ms.buffer };
  }
}

/** The clock another thread shared (`ShareableClock.shared()`), over the same memory. */
export function clockFromShared(state: SharedClockState): ShareableClock {
  return state.kind === 'adjustable' ? new AdjustableClock(systemClock, state.buffer) : new ManualClock(state.buffer);
}

export function isShareable(clock: Clock): clock is ShareableClock {
  return typeof (clock as Partial<ShareableClock>).shared === 'function';
}
