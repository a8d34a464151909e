import type { Executor } from '../db.ts';
import { prepared, preparedWrite } from '../prepared.ts';
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

export async function findIdempotencyKey(db: Executor, scope: IdempotencyScope) {
  return keyOf.first(db, scope);
}

export async function storeIdempotentOutcome(db: Executor, scope: IdempotencyScope, outcomeJson: string): Promise<void> {
  await storeOutcome.run(db, { ...scope, outcomeJson });
}
