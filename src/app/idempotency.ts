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

type StoredOutcome = { ok: true; value: unknown } | { ok: false; key: ErrorKey; message: string };

export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
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
): Promise<T> {
  const { requestId } = args.scope;
  if (requestId === null || requestId === '') return perform();
  const scope: IdempotencyScope = { ...args.scope, requestId };
  const fingerprint = requestFingerprint(args.request);
  const claimed = await claimIdempotencyKey(trx, scope, fingerprint, args.nowMs);
  if (!claimed) return replayStored(trx, scope, fingerprint) as Promise<T>;
  let outcome: StoredOutcome;
  try {
    outcome = { ok: true, value: await perform() };
  } catch (error) {
    if (!(error instanceof VippsError)) throw error;
    outcome = { ok: false, key: error.key, message: error.message };
  }
  await storeIdempotentOutcome(trx, scope, JSON.stringify(outcome));
  if (!outcome.ok) throw new VippsError(outcome.key, outcome.message);
  return outcome.value as T;
}

async function replayStored(trx: Trx, scope: IdempotencyScope, fingerprint: string): Promise<unknown> {
  const row = await findIdempotencyKey(trx, scope);
  assert(row !== undefined, 'a claimed idempotency key must exist');
  if (row.request_sha256 !== fingerprint) throw new VippsError('idempotency_key_reused');
  // The claiming transaction stores its outcome before it commits, and we only see committed rows.
  assert(row.outcome_json !== null, 'a committed idempotency key carries its outcome');
  const outcome = JSON.parse(row.outcome_json) as StoredOutcome;
  if (outcome.ok) return outcome.value;
  assert(outcome.key in ERRORS, `stored error ${outcome.key} is known`);
  throw new VippsError(outcome.key, outcome.message);
}
