import type { PaymentRow } from '../../store/schema.ts';
import type { Tx } from '../context.ts';
import { salesUnitIn } from '../sales-unit-in-tx.ts';

/** Outbox kind of the payment callbacks a channel sends; sandbox fault rules (drop, delay) apply to these. */
export const CALLBACK_KIND = 'payment_callback';

export interface MerchantCall {
  msn: string;
  /** The payment the call is about; null for calls about no payment (a consent removal). */
  payment: Pick<PaymentRow, 'id' | 'order_id'> | null;
  kind: string;
  method: 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON; null: no body. */
  body: unknown;
  timeoutMs: number;
}

/**
 * Queue a call to the merchant in the outbox of the current transaction. Attempts follow the sales unit: one, as on
 * the real platform, unless the operator turned retries on.
 */
export async function enqueueMerchantCall(tx: Tx, call: MerchantCall): Promise<void> {
  const salesUnit = await salesUnitIn(tx, call.msn);
  await tx.enqueue({
    msn: call.msn,
    payment_id: call.payment?.id ?? null,
    order_id: call.payment?.order_id ?? null,
    kind: call.kind,
    method: call.method,
    url: call.url,
    headers_json: JSON.stringify(call.headers),
    body_json: call.body === null ? null : JSON.stringify(call.body),
    timeout_ms: call.timeoutMs,
    state: 'pending',
    attempts: 0,
    max_attempts: salesUnit?.callback_max_attempts ?? 1,
    next_attempt_at_ms: tx.nowMs,
    lease_owner: null,
    lease_until_ms: null,
    created_at_ms: tx.nowMs,
    updated_at_ms: tx.nowMs,
  });
}
