import type { Executor } from '../db.ts';

/**
 * A call the platform made synchronously (shipping details) is recorded like a delivered or dead outbox row
 * with its one attempt, so that every outbound call is listed and inspected the same way.
 */
export interface SynchronousCall {
  msn: string;
  paymentId: number;
  orderId: string;
  kind: string;
  method: string;
  url: string;
  headersJson: string;
  bodyJson: string | null;
  timeoutMs: number;
  startedAtMs: number;
  latencyMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  succeeded: boolean;
}

export async function recordSynchronousCall(db: Executor, call: SynchronousCall): Promise<void> {
  const row = await db
    .insertInto('outbox')
    .values({
      msn: call.msn,
      payment_id: call.paymentId,
      order_id: call.orderId,
      kind: call.kind,
      method: call.method,
      url: call.url,
      headers_json: call.headersJson,
      body_json: call.bodyJson,
      timeout_ms: call.timeoutMs,
      state: call.succeeded ? 'delivered' : 'dead',
      attempts: 1,
      max_attempts: 1,
      next_attempt_at_ms: call.startedAtMs,
      lease_owner: null,
      lease_until_ms: null,
      created_at_ms: call.startedAtMs,
      updated_at_ms: call.startedAtMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('callback_attempt')
    .values({
      outbox_id: row.id,
      msn: call.msn,
      attempt_no: 1,
      started_at_ms: call.startedAtMs,
      latency_ms: Math.round(call.latencyMs),
      http_status: call.httpStatus,
      response_excerpt: call.responseExcerpt,
      error: call.error,
    })
    .execute();
}
