/**
 * All time inside Kasse comes from a Clock. The domain receives `nowMs` as an argument; the app and
 * jobs receive a Clock. This is what lets tests and the sandbox move time without sleeping.
 */
export interface Clock {
  nowMs(): number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export function isoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
