import { isoTimestamp } from '../../domain/clock.ts';
import { findOutbound, insertOutbound, listAttempts, listOutbound } from '../../store/repos/outbox.ts';
import type { CallbackAttemptRow, OutboxRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../merchants/sales-units.ts';
import { inTransaction } from '../transaction.ts';
import type { OutboundAttemptView, OutboundCallView as SharedOutboundCallView } from '../../shared/view-models.ts';

/** The error recorded for a callback attempt that a sandbox `drop_callbacks` rule swallowed. */
export const DROPPED_BY_FAULT = 'dropped by a sandbox fault rule';

/** The most calls one listing returns. */
export const MAX_OUTBOUND_LISTED = 200;
export const DEFAULT_OUTBOUND_LISTED = 50;

/** Header values that are secrets the merchant gave us: shown only by their first characters. */
const SECRET_HEADERS = /^(authorization|proxy-authorization)$/i;
const SHOWN_CHARS = 4;

export function maskSecret(value: string): string {
  return `${value.slice(0, SHOWN_CHARS)}****`;
}

function maskedHeaders(headersJson: string): Record<string, string> {
  const headers = JSON.parse(headersJson) as Record<string, string>;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SECRET_HEADERS.test(name) ? maskSecret(value) : value]));
}

function parsedBody(bodyJson: string | null): unknown {
  if (bodyJson === null) return null;
  try {
    return JSON.parse(bodyJson) as unknown;
  } catch {
    return bodyJson;
  }
}

/** What the callbacks page and the inspection API show of a call (src/shared: the browser reads the same shape). */
export type OutboundCallView = SharedOutboundCallView & {
  /** Only on the answer to a replay: the call it copied. */
  replayOf?: number;
};

function attemptView(attempt: CallbackAttemptRow): OutboundAttemptView {
  return {
    attemptNo: attempt.attempt_no,
    startedAt: isoTimestamp(attempt.started_at_ms),
    latencyMs: attempt.latency_ms,
    httpStatus: attempt.http_status,
    responseExcerpt: attempt.response_excerpt,
    error: attempt.error,
  };
}

function callView(row: OutboxRow, attempts: CallbackAttemptRow[]): OutboundCallView {
  return {
    id: row.id,
    merchantSerialNumber: row.msn,
    orderId: row.order_id,
    kind: row.kind,
    method: row.method,
    url: row.url,
    headers: maskedHeaders(row.headers_json),
    body: parsedBody(row.body_json),
    state: row.state,
    attemptCount: row.attempts,
    maxAttempts: row.max_attempts,
    createdAt: isoTimestamp(row.created_at_ms),
    nextAttemptAt: isoTimestamp(row.next_attempt_at_ms),
    delayed: row.delayed === 1,
    attempts: attempts.filter((a) => a.outbox_id === row.id).map(attemptView),
  };
}

async function withAttempts(ctx: AppContext, rows: OutboxRow[]): Promise<OutboundCallView[]> {
  const attempts = await listAttempts(ctx.store.db, rows.map((r) => r.id));
  return rows.map((row) => callView(row, attempts));
}

function boundedLimit(limit: number | undefined): number {
  return Math.min(MAX_OUTBOUND_LISTED, Math.max(1, Math.floor(limit ?? DEFAULT_OUTBOUND_LISTED)));
}

/**
 * The outbound calls (callbacks) Kasse made or will make to one sales unit, newest first, each with every
 * attempt: what was sent, when, what came back. Secrets in the headers are masked.
 */
export async function listOutboundCalls(ctx: AppContext, msn: string, args: { orderId?: string; limit?: number } = {}): Promise<OutboundCallView[]> {
  const rows = await listOutbound(ctx.store.db, {
    msn,
    ...(args.orderId !== undefined ? { orderId: args.orderId } : {}),
    limit: boundedLimit(args.limit),
  });
  return withAttempts(ctx, rows);
}

/** Sandbox overview: the newest outbound calls of every sales unit, optionally of one. */
export async function listRecentOutboundCalls(ctx: AppContext, args: { msn?: string; limit?: number } = {}): Promise<OutboundCallView[]> {
  const rows = await listOutbound(ctx.store.db, {
    ...(args.msn !== undefined ? { msn: args.msn } : {}),
    limit: boundedLimit(args.limit),
  });
  return withAttempts(ctx, rows);
}

/**
 * Send an outbound call again: a new row with the same URL, headers and body (the original keeps its own
 * history). Scoped to `msn` — another sales unit's call is "not found", exactly like a missing one. A null
 * MSN is the sandbox page's replay, which has no merchant token.
 */
export async function replayOutbound(ctx: AppContext, msn: string | null, id: number): Promise<OutboundCallView> {
  const copy = await inTransaction(ctx, async ({ trx }) => {
    const original = await findOutbound(trx, id, msn);
    if (!original) throw new NotFoundError(`No outbound call ${id}`);
    const nowMs = ctx.clock.nowMs();
    return insertOutbound(trx, {
      msn: original.msn,
      payment_id: original.payment_id,
      order_id: original.order_id,
      kind: original.kind,
      method: original.method,
      url: original.url,
      headers_json: original.headers_json,
      body_json: original.body_json,
      timeout_ms: original.timeout_ms,
      state: 'pending',
      attempts: 0,
      max_attempts: original.max_attempts,
      next_attempt_at_ms: nowMs,
      lease_owner: null,
      lease_until_ms: null,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    });
  });
  ctx.onOutboundEnqueued();
  return { ...callView(copy, []), replayOf: id };
}
