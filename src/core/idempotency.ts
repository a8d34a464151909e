import { assert } from '../domain/assert.ts';
import { Refused, isRefusalReason, type RefusalReason } from '../domain/refusals.ts';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  storeIdempotentOutcome,
  type IdempotencyScope,
} from '../store/repos/idempotency.ts';
import { withinSavepoint } from '../store/savepoint.ts';
import { sha256Hex } from './auth/secrets.ts';
import type { Tx } from './context.ts';

/**
 * What the first request with an X-Request-Id ended with, as stored with its key: the domain result, or the refusal.
 * Channels render it; a retry through the same channel therefore renders the same body.
 */
type StoredOutcome<T> = { ok: true; value: T } | { ok: false; reason: RefusalReason; detail?: string };

export function requestFingerprint(request: unknown): string {
  return sha256Hex(JSON.stringify(request));
}

/**
 * Invariant P5: for each (MSN, orderId, operation, X-Request-Id) at most one effect. The first request claims the key
 * and stores its outcome — result or refusal — in the same transaction as the effect; a retry with the same body gets
 * that outcome again, a different body gets `idempotency_key_reused`. Decide first, then write: a refusal that is not
 * recorded rolls back what `perform` wrote (to a savepoint) and keeps only the stored outcome.
 * Without an X-Request-Id every call is a new operation, as on the real platform.
 */
export async function withIdempotency<T>(
  tx: Tx,
  args: { scope: Omit<IdempotencyScope, 'requestId'> & { requestId: string | null }; request: unknown },
  perform: () => Promise<T>,
): Promise<T> {
  const key = idempotencyKeyOf(args);
  if (key === null) return perform();
  return afterClaim(tx, key, await claimIdempotencyKey(tx.trx, key.scope, key.fingerprint, tx.nowMs), perform);
}

/** A request's key and fingerprint; null without an X-Request-Id (every call is then a new operation). */
export function idempotencyKeyOf(args: {
  scope: Omit<IdempotencyScope, 'requestId'> & { requestId: string | null };
  request: unknown;
}): { scope: IdempotencyScope; fingerprint: string } | null {
  const { requestId } = args.scope;
  if (requestId === null || requestId === '') return null;
  return { scope: { ...args.scope, requestId }, fingerprint: requestFingerprint(args.request) };
}

/**
 * What follows a key's claim (claimIdempotencyKey, or claimKeyAndLockPayment with the payment's locked read): the
 * effect and its stored outcome when this request claimed the key, else the outcome the first one stored.
 */
export async function afterClaim<T>(
  tx: Tx,
  key: { scope: IdempotencyScope; fingerprint: string },
  claimed: boolean,
  perform: () => Promise<T>,
): Promise<T> {
  if (!claimed) return replayStored<T>(tx, key.scope, key.fingerprint);
  let outcome: StoredOutcome<T>;
  try {
    const value = await withinSavepoint(tx.trx, 'idempotent_effect', perform, (error) => error instanceof Refused && error.recorded);
    outcome = { ok: true, value };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    outcome = { ok: false, reason: error.reason, ...(error.detail !== undefined ? { detail: error.detail } : {}) };
  }
  await storeIdempotentOutcome(tx.trx, key.scope, JSON.stringify(outcome));
  return settle(outcome, true);
}

/** The stored refusal commits with its key (it was the answer), so it is rethrown as a recorded one. */
function settle<T>(outcome: StoredOutcome<T>, recorded: boolean): T {
  if (outcome.ok) return outcome.value;
  throw new Refused(outcome.reason, { recorded, ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}) });
}

async function replayStored<T>(tx: Tx, scope: IdempotencyScope, fingerprint: string): Promise<T> {
  const row = await findIdempotencyKey(tx.trx, scope);
  assert(row !== undefined, 'a claimed idempotency key must exist');
  if (row.request_sha256 !== fingerprint) throw new Refused('idempotency_key_reused');
  // The claiming transaction stores its outcome before it commits, and we only see committed rows.
  assert(row.outcome_json !== null, 'a committed idempotency key carries its outcome');
  const outcome = JSON.parse(row.outcome_json) as StoredOutcome<T>;
  assert(outcome.ok || isRefusalReason(outcome.reason), `stored refusal ${outcome.ok ? '' : outcome.reason} is known`);
  return settle(outcome, false);
}
