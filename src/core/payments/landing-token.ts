import { randomBytes } from 'node:crypto';

/**
 * A new payment's landing token: its creation time as 12 hex digits, then 192 random bits (what makes it
 * unguessable). Tokens made later sort later, so the unique index that finds a payment by its token grows at its
 * right edge, as a sequence does, instead of dirtying a page of its own for every new payment: in SQLite's WAL,
 * random tokens were 5 to 12 of the 58 to 95 pages a group commit wrote (bench/README.md, session 13).
 * base64url has no '=', which the landing URL's token extraction depends on (landingUrl).
 */
export function newLandingToken(nowMs: number): string {
  return Math.trunc(nowMs).toString(16).padStart(12, '0') + randomBytes(24).toString('base64url');
}
