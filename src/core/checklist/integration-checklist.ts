import {
  CHECKLIST_ITEMS,
  isSuccessCallbackStatus,
  isSuccessfulHttpStatus,
  isUsefulOrderId,
  type ChecklistItemId,
  type ChecklistStatus,
} from '../../domain/integration-checklist.ts';
import { callsOfRouteForOrders, callsOfRoutes, successfulEndpoints } from '../../store/repos/api-calls.ts';
import { ordersThatEnded, outboundCallsWithAttempts, partialOperations, recentOrderIds } from '../../store/repos/integration-checklist.ts';
import type { ApiCallRow, SalesUnitRow } from '../../store/schema.ts';
import { CALLBACK_KIND } from '../callbacks/merchant-calls.ts';
import type { AppContext } from '../context.ts';
import { SHIPPING_CALL_KIND } from '../express/shipping.ts';

/** Vipps' checklist (developer.vippsmobilepay.com); each item links to it, with Kasse's own advice beside. */
const CHECKLIST_URL = 'https://developer.vippsmobilepay.com/docs/APIs/ecom-api/vipps-ecom-api-checklist/';

const DETAILS_ROUTE = '/ecomm/v2/payments/:orderId/details';
/** The ecomm v2 endpoints an integration must use (status is deprecated; force approve is test-only). */
export const REQUIRED_ENDPOINTS = [
  { method: 'POST', route: '/ecomm/v2/payments', name: 'initiate' },
  { method: 'POST', route: '/ecomm/v2/payments/:orderId/capture', name: 'capture' },
  { method: 'POST', route: '/ecomm/v2/payments/:orderId/refund', name: 'refund' },
  { method: 'PUT', route: '/ecomm/v2/payments/:orderId/cancel', name: 'cancel' },
  { method: 'GET', route: DETAILS_ROUTE, name: 'details' },
] as const;
const ECOMM_ROUTES = [...REQUIRED_ENDPOINTS.map((e) => e.route), '/ecomm/v2/payments/:orderId/status'];

/** Express: the platform waits at most this long for the shipping-details answer. */
const SHIPPING_ANSWER_LIMIT_MS = 10_000;
/** How many of the newest records each item looks at (the checklist grades recent behaviour). */
const RECENT = 50;
const RECENT_ORDERS = 20;
const MAX_EVIDENCE = 5;

export type Evidence =
  | { kind: 'api_call'; id: number; atMs: number; method: string; route: string; orderId: string | null; status: number; requestId: string | null }
  | { kind: 'operation'; id: number; atMs: number; orderId: string; amountOre: number; requestId: string | null }
  | { kind: 'endpoint'; method: string; route: string; calls: number; lastCallId: number; lastAtMs: number }
  | { kind: 'payment'; orderId: string; state: string; atMs: number }
  | { kind: 'order_id'; orderId: string }
  | { kind: 'merchant_call'; outboxId: number; atMs: number; orderId: string | null; callKind: string; callbackStatus: string | null; httpStatus: number | null; latencyMs: number | null; error: string | null };

export interface ChecklistItem {
  id: ChecklistItemId;
  title: string;
  status: ChecklistStatus;
  /** What Kasse saw, in a sentence. */
  detail: string;
  evidence: Evidence[];
  howTo: string;
  link: string;
}

function callEvidence(call: ApiCallRow): Evidence {
  return { kind: 'api_call', id: Number(call.id), atMs: Number(call.at_ms), method: call.method, route: call.route, orderId: call.order_id, status: call.status, requestId: call.request_id };
}

type Grade = Pick<ChecklistItem, 'status' | 'detail' | 'evidence'>;
const ITEM_TEXT: Record<ChecklistItemId, { title: string; howTo: string }> = {
  'all-endpoints': {
    title: 'All endpoints are used: initiate, capture, refund, cancel and details',
    howTo: 'Call each endpoint from your integration at least once with a 2xx answer (cancel a reserved order, capture and refund another).',
  },
  'partial-capture-with-request-id': {
    title: 'Partial capture, with X-Request-Id',
    howTo: 'Capture less than the reserved amount and send an X-Request-Id that is unique per capture, reused only when retrying that capture.',
  },
  'partial-refund-with-request-id': {
    title: 'Partial refund, with X-Request-Id',
    howTo: 'Refund less than the captured amount with an X-Request-Id, reused only when retrying that refund.',
  },
  'details-when-callback-missing': {
    title: 'Payment details are polled when a callback does not come',
    howTo: 'When the callback is late or fails, call GET /ecomm/v2/payments/{orderId}/details. In the sandbox, add a drop_callbacks or delay_callbacks fault rule to try it.',
  },
  'callbacks-answered-2xx': {
    title: 'Callbacks are answered 2xx, for success and for failure',
    howTo: 'Answer every callback to your callbackPrefix with 2xx, also those reporting a cancelled, rejected or failed payment.',
  },
  'vipps-system-headers': {
    title: 'Vipps-System-* headers are sent',
    howTo: 'Send Vipps-System-Name and Vipps-System-Version (and Vipps-System-Plugin-Name/-Version for a plugin) on every call.',
  },
  'useful-order-ids': {
    title: 'orderIds are useful (at least 8 characters, not digits only)',
    howTo: 'Use orderIds you can find again, e.g. a shop prefix and your order number: acme-shop-123-order123abc.',
  },
  'order-ending-in-refund': {
    title: 'An order that ends in REFUND',
    howTo: 'Capture an order and refund it (all or part).',
  },
  'order-ending-in-void': {
    title: 'An order that ends in VOID',
    howTo: 'Cancel a reserved order before capturing anything.',
  },
  'express-shipping-details-in-time': {
    title: 'Express: the shipping-details endpoint answers 2xx within 10 s',
    howTo: 'Answer POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails with 2xx and shipping methods within 10 seconds.',
  },
};

async function allEndpoints(ctx: AppContext, msn: string): Promise<Grade> {
  const used = await successfulEndpoints(ctx.store.db, msn);
  const seen = REQUIRED_ENDPOINTS.filter((e) => used.some((u) => u.method === e.method && u.route === e.route));
  const missing = REQUIRED_ENDPOINTS.filter((e) => !seen.includes(e)).map((e) => e.name);
  const evidence = used
    .filter((u) => REQUIRED_ENDPOINTS.some((e) => e.method === u.method && e.route === u.route))
    .map((u): Evidence => ({ kind: 'endpoint', method: u.method, route: u.route, calls: Number(u.calls), lastCallId: Number(u.last_id), lastAtMs: Number(u.last_at_ms) }));
  if (seen.length === 0) return { status: 'not_exercised', detail: 'No successful ecomm v2 call yet.', evidence };
  if (missing.length > 0) return { status: 'not_met', detail: `Not used yet with a 2xx answer: ${missing.join(', ')}.`, evidence };
  return { status: 'met', detail: 'Every endpoint answered 2xx at least once.', evidence };
}

async function partialWithRequestId(ctx: AppContext, msn: string, kind: 'capture' | 'refund'): Promise<Grade> {
  const ops = await partialOperations(ctx.store.db, msn, kind, RECENT);
  const evidenceOf = (op: (typeof ops)[number]): Evidence => ({
    kind: 'operation',
    id: Number(op.id),
    atMs: Number(op.created_at_ms),
    orderId: op.order_id,
    amountOre: Number(op.amount_ore),
    requestId: op.request_id === '' ? null : op.request_id,
  });
  if (ops.length === 0) return { status: 'not_exercised', detail: `No partial ${kind} yet.`, evidence: [] };
  const without = ops.filter((op) => op.request_id === '');
  if (without.length > 0) {
    return { status: 'not_met', detail: `${without.length} of the last ${ops.length} partial ${kind}s had no X-Request-Id.`, evidence: without.slice(0, MAX_EVIDENCE).map(evidenceOf) };
  }
  return { status: 'met', detail: `The last ${ops.length} partial ${kind}s all carried X-Request-Id.`, evidence: ops.slice(0, MAX_EVIDENCE).map(evidenceOf) };
}

type MerchantCallRow = Awaited<ReturnType<typeof outboundCallsWithAttempts>>[number];

function callbackStatusOf(row: MerchantCallRow): string | null {
  if (row.body_json === null) return null;
  const status = (JSON.parse(row.body_json) as { transactionInfo?: { status?: unknown } }).transactionInfo?.status;
  return typeof status === 'string' ? status : null;
}

function merchantCallEvidence(row: MerchantCallRow): Evidence {
  return {
    kind: 'merchant_call',
    outboxId: Number(row.outbox_id),
    atMs: Number(row.started_at_ms ?? row.created_at_ms),
    orderId: row.order_id,
    callKind: row.kind,
    callbackStatus: row.kind === CALLBACK_KIND ? callbackStatusOf(row) : null,
    httpStatus: row.http_status,
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    error: row.error,
  };
}

function callbacksAnswered(callbacks: MerchantCallRow[]): Grade {
  const attempted = callbacks.filter((c) => c.attempt_id !== null);
  const grade = (success: boolean) => {
    const ofKind = attempted.filter((c) => isSuccessCallbackStatus(callbackStatusOf(c) ?? '') === success);
    return { tried: ofKind.length > 0, answered: ofKind.find((c) => isSuccessfulHttpStatus(c.http_status)), refused: ofKind.filter((c) => !isSuccessfulHttpStatus(c.http_status)) };
  };
  const success = grade(true);
  const failure = grade(false);
  const refused = [...success.refused, ...failure.refused];
  if ((success.tried && !success.answered) || (failure.tried && !failure.answered)) {
    const which = [success.tried && !success.answered ? 'success' : null, failure.tried && !failure.answered ? 'failure' : null].filter(Boolean).join(' and ');
    return { status: 'not_met', detail: `No ${which} callback was answered 2xx.`, evidence: refused.slice(0, MAX_EVIDENCE).map(merchantCallEvidence) };
  }
  const answered = [success.answered, failure.answered].filter((c): c is MerchantCallRow => c !== undefined).map(merchantCallEvidence);
  if (!success.tried || !failure.tried) {
    const missing = !success.tried ? 'a success (RESERVED/SALE)' : 'a failure (CANCELLED/REJECTED/…)';
    return { status: 'not_exercised', detail: `No callback reporting ${missing} was sent yet.`, evidence: answered };
  }
  return { status: 'met', detail: 'Callbacks for a success and for a failure were answered 2xx.', evidence: answered };
}

async function detailsWhenCallbackMissing(ctx: AppContext, msn: string, callbacks: MerchantCallRow[]): Promise<Grade> {
  // A callback "did not come" when a sandbox rule delayed it or an attempt failed: from then on the merchant should ask.
  const missedAt = new Map<string, { atMs: number; row: MerchantCallRow }>();
  for (const c of callbacks) {
    if (c.order_id === null) continue;
    const failedAttempt = c.attempt_id !== null && !isSuccessfulHttpStatus(c.http_status);
    if (!failedAttempt && c.delayed === 0) continue;
    const atMs = failedAttempt ? Number(c.started_at_ms) : Number(c.created_at_ms);
    const known = missedAt.get(c.order_id);
    if (!known || atMs < known.atMs) missedAt.set(c.order_id, { atMs, row: c });
  }
  if (missedAt.size === 0) return { status: 'not_exercised', detail: 'No callback has failed or been delayed yet.', evidence: [] };
  const orders = [...missedAt.keys()].slice(0, RECENT_ORDERS);
  const details = await callsOfRouteForOrders(ctx.store.db, msn, DETAILS_ROUTE, orders);
  const polled = details.filter((d) => isSuccessfulHttpStatus(d.status) && Number(d.at_ms) >= missedAt.get(d.order_id!)!.atMs);
  if (polled.length > 0) {
    return { status: 'met', detail: 'Details were fetched after a callback failed or was delayed.', evidence: polled.slice(0, MAX_EVIDENCE).map(callEvidence) };
  }
  return {
    status: 'not_met',
    detail: `${missedAt.size} order(s) had a callback fail or come late, and details were not fetched after it.`,
    evidence: orders.slice(0, MAX_EVIDENCE).map((o) => merchantCallEvidence(missedAt.get(o)!.row)),
  };
}

async function systemHeaders(ctx: AppContext, msn: string): Promise<Grade> {
  const calls = await callsOfRoutes(ctx.store.db, msn, ECOMM_ROUTES, RECENT);
  if (calls.length === 0) return { status: 'not_exercised', detail: 'No ecomm v2 call yet.', evidence: [] };
  const without = calls.filter((c) => c.system_name === null || c.system_version === null);
  if (without.length > 0) {
    return { status: 'not_met', detail: `${without.length} of the last ${calls.length} calls lacked Vipps-System-Name or Vipps-System-Version.`, evidence: without.slice(0, MAX_EVIDENCE).map(callEvidence) };
  }
  return { status: 'met', detail: `The last ${calls.length} calls all carried Vipps-System-Name and -Version.`, evidence: calls.slice(0, 1).map(callEvidence) };
}

async function usefulOrderIds(ctx: AppContext, msn: string): Promise<Grade> {
  const orderIds = await recentOrderIds(ctx.store.db, msn, RECENT_ORDERS);
  if (orderIds.length === 0) return { status: 'not_exercised', detail: 'No payment yet.', evidence: [] };
  const poor = orderIds.filter((o) => !isUsefulOrderId(o));
  const evidenceOf = (orderId: string): Evidence => ({ kind: 'order_id', orderId });
  if (poor.length > 0) return { status: 'not_met', detail: `${poor.length} of the last ${orderIds.length} orderIds are short or digits only.`, evidence: poor.slice(0, MAX_EVIDENCE).map(evidenceOf) };
  return { status: 'met', detail: `The last ${orderIds.length} orderIds are all useful.`, evidence: orderIds.slice(0, 1).map(evidenceOf) };
}

async function orderEnding(ctx: AppContext, msn: string, ending: 'refund' | 'void'): Promise<Grade> {
  const orders = await ordersThatEnded(ctx.store.db, msn, ending, MAX_EVIDENCE);
  const evidence = orders.map((o): Evidence => ({ kind: 'payment', orderId: o.order_id, state: o.state, atMs: Number(o.updated_at_ms) }));
  const word = ending === 'refund' ? 'REFUND' : 'VOID';
  if (orders.length === 0) return { status: 'not_exercised', detail: `No order has ended in ${word} yet.`, evidence };
  return { status: 'met', detail: `An order ended in ${word}.`, evidence };
}

function shippingInTime(unit: SalesUnitRow, calls: MerchantCallRow[]): Grade {
  const attempted = calls.filter((c) => c.attempt_id !== null);
  if (attempted.length === 0) {
    const why = unit.express_allowed ? 'No express payment has asked for shipping details yet.' : 'Express is not enabled for this sales unit.';
    return { status: 'not_exercised', detail: why, evidence: [] };
  }
  const late = attempted.filter((c) => !isSuccessfulHttpStatus(c.http_status) || Number(c.latency_ms) > SHIPPING_ANSWER_LIMIT_MS);
  if (late.length > 0) {
    return { status: 'not_met', detail: `${late.length} of the last ${attempted.length} shipping-details calls failed or took over 10 s.`, evidence: late.slice(0, MAX_EVIDENCE).map(merchantCallEvidence) };
  }
  return { status: 'met', detail: `The last ${attempted.length} shipping-details calls were answered 2xx within 10 s.`, evidence: attempted.slice(0, MAX_EVIDENCE).map(merchantCallEvidence) };
}

/** Grade every item for one sales unit from its recorded calls and its data (newest records first). */
export async function integrationChecklist(ctx: AppContext, unit: SalesUnitRow): Promise<ChecklistItem[]> {
  const { msn } = unit;
  const [callbacks, shipping] = await Promise.all([
    outboundCallsWithAttempts(ctx.store.db, msn, [CALLBACK_KIND], RECENT * 4),
    outboundCallsWithAttempts(ctx.store.db, msn, [SHIPPING_CALL_KIND], RECENT),
  ]);
  const grades: Record<ChecklistItemId, Grade> = {
    'all-endpoints': await allEndpoints(ctx, msn),
    'partial-capture-with-request-id': await partialWithRequestId(ctx, msn, 'capture'),
    'partial-refund-with-request-id': await partialWithRequestId(ctx, msn, 'refund'),
    'details-when-callback-missing': await detailsWhenCallbackMissing(ctx, msn, callbacks),
    'callbacks-answered-2xx': callbacksAnswered(callbacks),
    'vipps-system-headers': await systemHeaders(ctx, msn),
    'useful-order-ids': await usefulOrderIds(ctx, msn),
    'order-ending-in-refund': await orderEnding(ctx, msn, 'refund'),
    'order-ending-in-void': await orderEnding(ctx, msn, 'void'),
    'express-shipping-details-in-time': shippingInTime(unit, shipping),
  };
  return CHECKLIST_ITEMS.map((id) => ({ id, ...ITEM_TEXT[id], ...grades[id], link: CHECKLIST_URL }));
}

/** How many items are met, not met and not yet exercised. */
export function checklistSummary(items: readonly ChecklistItem[]): { met: number; notMet: number; notExercised: number } {
  const count = (status: ChecklistStatus) => items.filter((i) => i.status === status).length;
  return { met: count('met'), notMet: count('not_met'), notExercised: count('not_exercised') };
}
