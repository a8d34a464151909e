/**
 * All time inside Kasse comes from a Clock. The domain receives `nowMs` as an argument; the app and
 * jobs receive a Clock. This is what lets tests and the sandbox move time without sleeping.
 */
export interface Clock {
  nowMs(): number;
  /**
   * Real elapsed time, for worker leases: a lease measures whether a worker is still alive, which sandbox time
   * travel must not decide. Clocks that cannot travel leave it out and leases use nowMs().
   */
  leaseNowMs?(): number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export function isoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
