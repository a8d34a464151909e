import type { Executor } from '../db.ts';
import { lockedPaymentOf, paymentForUpdate, type DialectKind, type LockedPayment } from '../dialect.ts';
import { prepared, preparedWrite, together, type BoundQuery } from '../prepared.ts';
import type { IdempotencyKeyTable } from '../schema.ts';
import type { Selectable } from 'kysely';

export interface IdempotencyScope {
  msn: string;
  orderId: string;
  operation: string;
  requestId: string;
}

const claimKey = prepared<IdempotencyScope & { requestSha256: string; nowMs: number }, never>((db, p) =>
  db
    .insertInto('idempotency_key')
    .values({
      msn: p.msn,
      order_id: p.orderId,
      operation: p.operation,
      request_id: p.requestId,
      request_sha256: p.requestSha256,
      outcome_json: null,
      created_at_ms: p.nowMs,
    })
    .onConflict((oc) => oc.columns(['msn', 'order_id', 'operation', 'request_id']).doNothing()),
);

const keyOf = prepared<IdempotencyScope, Selectable<IdempotencyKeyTable>>((db, p) =>
  db
    .selectFrom('idempotency_key')
    .selectAll()
    .where('msn', '=', p.msn)
    .where('order_id', '=', p.orderId)
    .where('operation', '=', p.operation)
    .where('request_id', '=', p.requestId),
);

const storeOutcome = preparedWrite<IdempotencyScope & { outcomeJson: string }>((db, p) =>
  db
    .updateTable('idempotency_key')
    .set({ outcome_json: p.outcomeJson })
    .where('msn', '=', p.msn)
    .where('order_id', '=', p.orderId)
    .where('operation', '=', p.operation)
    .where('request_id', '=', p.requestId),
);

/**
 * Claim a key by inserting it first. On PostgreSQL a concurrent duplicate blocks on the unique index until
 * the first transaction ends, then finds the row: at most one request per key ever performs the effect.
 */
export async function claimIdempotencyKey(db: Executor, scope: IdempotencyScope, requestSha256: string, nowMs: number): Promise<boolean> {
  // Counted, not RETURNING: a conflict inserts nothing (and RETURNING costs SQLite a temporary table).
  return (await claimKey.affected(db, { ...scope, requestSha256, nowMs })) === 1;
}

/**
 * An operation on the scope's payment: the key's claim and the payment's locked read (dialect.ts loadPaymentForUpdate)
 * in one round trip on PostgreSQL, with a read the operation needs besides (`alongside`, after the locked read). The
 * read runs after the claim, so a duplicate that waited for the first request's claim reads the payment as that
 * request left it; a duplicate answers from the stored outcome and reads nothing of it.
 */
export async function claimKeyAndLockPayment<R = never>(
  db: Executor,
  kind: DialectKind,
  scope: IdempotencyScope,
  requestSha256: string,
  nowMs: number,
  alongside?: BoundQuery<R>,
): Promise<{ claimed: boolean; locked: LockedPayment | undefined; alongside: R[] }> {
  const claim = claimKey.bind(db, { ...scope, requestSha256, nowMs });
  const read = paymentForUpdate(db, kind, scope.msn, scope.orderId);
  const results = alongside ? await together(db, claim, read, alongside) : await together(db, claim, read);
  return { claimed: results[0].numAffectedRows === 1n, locked: lockedPaymentOf(kind, results[1].rows[0]), alongside: (results[2]?.rows ?? []) as R[] };
}

export async function findIdempotencyKey(db: Executor, scope: IdempotencyScope) {
  return keyOf.first(db, scope);
}

export async function storeIdempotentOutcome(db: Executor, scope: IdempotencyScope, outcomeJson: string): Promise<void> {
  await storeOutcome.run(db, { ...scope, outcomeJson });
}
