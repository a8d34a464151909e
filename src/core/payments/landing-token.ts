import { randomFillSync } from 'node:crypto';

/** Random bits for tokens, drawn a page at a time: one draw per token was 4 % of the use-case worker under initiate. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomBytesFromPool(count: number): Buffer {
  if (poolOffset + count > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // A copy: the pool's bytes are overwritten at the next refill, and each byte is handed out once.
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + count));
  poolOffset += count;
  return bytes;
}

/**
 * A new payment's landing token: its creation time as 12 hex digits, then 192 random bits (what makes it
 * unguessable). Tokens made later sort later, so the unique index that finds a payment by its token grows at its
 * right edge, as a sequence does, instead of dirtying a page of its own for every new payment: in SQLite's WAL,
 * random tokens were 5 to 12 of the 58 to 95 pages a group commit wrote (bench/README.md, session 13).
 * base64url has no '=', which the landing URL's token extraction depends on (landingUrl).
 */
export function newLandingToken(nowMs: number): string {
  return Math.trunc(nowMs).toString(16).padStart(12, '0') + randomBytesFromPool(24).toString('base64url');
}
