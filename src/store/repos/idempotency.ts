import type { Executor } from '../db.ts';

export interface IdempotencyScope {
  msn: string;
  orderId: string;
  operation: string;
  requestId: string;
}

/**
 * Claim a key by inserting it first. On PostgreSQL a concurrent duplicate blocks on the unique index until
 * the first transaction ends, then finds the row: at most one request per key ever performs the effect.
 */
export async function claimIdempotencyKey(
  db: Executor,
  scope: IdempotencyScope,
  requestSha256: string,
  nowMs: number,
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_key')
    .values({
      msn: scope.msn,
      order_id: scope.orderId,
      operation: scope.operation,
      request_id: scope.requestId,
      request_sha256: requestSha256,
      outcome_json: null,
      created_at_ms: nowMs,
    })
    .onConflict((oc) => oc.columns(['msn', 'order_id', 'operation', 'request_id']).doNothing())
    .returning('request_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findIdempotencyKey(db: Executor, scope: IdempotencyScope) {
  return db
    .selectFrom('idempotency_key')
    .selectAll()
    .where('msn', '=', scope.msn)
    .where('order_id', '=', scope.orderId)
    .where('operation', '=', scope.operation)
    .where('request_id', '=', scope.requestId)
    .executeTakeFirst();
}

export async function storeIdempotentOutcome(db: Executor, scope: IdempotencyScope, outcomeJson: string): Promise<void> {
  await db
    .updateTable('idempotency_key')
    .set({ outcome_json: outcomeJson })
    .where('msn', '=', scope.msn)
    .where('order_id', '=', scope.orderId)
    .where('operation', '=', scope.operation)
    .where('request_id', '=', scope.requestId)
    .execute();
}
