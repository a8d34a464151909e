import { createHash } from 'node:crypto';
import { assert } from '../domain/assert.ts';
import { ERRORS, VippsError, type ErrorKey } from '../domain/errors.ts';
import type { Trx } from '../store/db.ts';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  storeIdempotentOutcome,
  type IdempotencyScope,
} from '../store/repos/idempotency.ts';

/**
 * What a use case ended with. Business errors are values here, not exceptions, so that the transaction
 * commits what they record (the stored outcome, a failed reservation) instead of rolling it back.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; key: ErrorKey; message: string };

/** After the transaction committed: the value, or the business error as the exception the HTTP layer maps. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new VippsError(outcome.key, outcome.message);
  return outcome.value;
}

export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** Run a step whose business errors are answers, not failures (see Outcome). */
export async function asOutcome<T>(perform: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await perform() };
  } catch (error) {
    if (!(error instanceof VippsError)) throw error;
    return { ok: false, key: error.key, message: error.message };
  }
}

/**
 * Invariant P5: for each (MSN, orderId, operation, X-Request-Id) at most one effect. The first request
 * claims the key and stores its outcome — success or business error — in the same transaction as the
 * effect; a retry with the same body gets that outcome again, a different body gets 93.
 * Without an X-Request-Id every call is a new operation, as on the real platform.
 */
export async function withIdempotency<T>(
  trx: Trx,
  args: { scope: Omit<IdempotencyScope, 'requestId'> & { requestId: string | null }; request: unknown; nowMs: number },
  perform: () => Promise<T>,
): Promise<Outcome<T>> {
  const { requestId } = args.scope;
  if (requestId === null || requestId === '') return asOutcome(perform);
  const scope: IdempotencyScope = { ...args.scope, requestId };
  const fingerprint = requestFingerprint(args.request);
  const claimed = await claimIdempotencyKey(trx, scope, fingerprint, args.nowMs);
  if (!claimed) return replayStored<T>(trx, scope, fingerprint);
  const outcome = await asOutcome(perform);
  await storeIdempotentOutcome(trx, scope, JSON.stringify(outcome));
  return outcome;
}

async function replayStored<T>(trx: Trx, scope: IdempotencyScope, fingerprint: string): Promise<Outcome<T>> {
  const row = await findIdempotencyKey(trx, scope);
  assert(row !== undefined, 'a claimed idempotency key must exist');
  if (row.request_sha256 !== fingerprint) {
    return { ok: false, key: 'idempotency_key_reused', message: ERRORS.idempotency_key_reused.message };
  }
  // The claiming transaction stores its outcome before it commits, and we only see committed rows.
  assert(row.outcome_json !== null, 'a committed idempotency key carries its outcome');
  const outcome = JSON.parse(row.outcome_json) as Outcome<T>;
  assert(outcome.ok || outcome.key in ERRORS, `stored error ${outcome.ok ? '' : outcome.key} is known`);
  return outcome;
}
