import { nokToOre, type Ore } from '../../domain/money.ts';
import { isSuccess } from '../callbacks/delivery.ts';
import type { SynchronousCall } from '../../store/repos/outbound-calls.ts';
import type { PaymentRow, UserAddressRow } from '../../store/schema.ts';
import { takeFault } from '../callbacks/faults.ts';
import type { AppContext } from '../context.ts';

/** A shipping method as offered to the user; the cost is øre inside Kasse, NOK decimals on the wire. */
export interface ShippingMethod {
  shippingMethodId: string;
  shippingMethod: string;
  shippingCostOre: Ore;
  priority: number;
  isDefault: boolean;
}

export type ShippingResult = { ok: true; methods: ShippingMethod[] } | { ok: false; reason: string };

/** "If a merchant sends more than 10 combinations, Vipps will display the first 10." */
const MAX_METHODS = 10;
export const SHIPPING_CALL_KIND = 'shipping_details';

function lenientNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

/**
 * Parse shipping methods as deployed merchants send them: cost as a number or a decimal string ("99.00"),
 * priority as a number or string, isDefault "Y"/"N" (booleans accepted too). Returns the reason when the
 * answer cannot be used, which is what makes the app show "Payment failed".
 */
export function parseShippingMethods(raw: unknown): ShippingResult {
  if (!Array.isArray(raw) || raw.length === 0) return { ok: false, reason: 'shippingDetails must be a non-empty array' };
  const methods: ShippingMethod[] = [];
  for (const [index, item] of raw.entries()) {
    if (typeof item !== 'object' || item === null) return { ok: false, reason: `shippingDetails[${index}] is not an object` };
    const entry = item as Record<string, unknown>;
    const id = typeof entry.shippingMethodId === 'number' ? String(entry.shippingMethodId) : entry.shippingMethodId;
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return { ok: false, reason: `shippingDetails[${index}].shippingMethodId is missing or too long` };
    if (typeof entry.shippingMethod !== 'string' || entry.shippingMethod.length === 0 || entry.shippingMethod.length > 256) {
      return { ok: false, reason: `shippingDetails[${index}].shippingMethod is missing or too long` };
    }
    const cost = typeof entry.shippingCost === 'number' || typeof entry.shippingCost === 'string' ? nokToOre(entry.shippingCost) : null;
    if (cost === null) return { ok: false, reason: `shippingDetails[${index}].shippingCost is not an amount in NOK` };
    const priority = entry.priority === undefined ? index : lenientNumber(entry.priority);
    if (priority === null) return { ok: false, reason: `shippingDetails[${index}].priority is not a number` };
    methods.push({
      shippingMethodId: id,
      shippingMethod: entry.shippingMethod,
      shippingCostOre: cost,
      priority,
      isDefault: entry.isDefault === 'Y' || entry.isDefault === true,
    });
  }
  return { ok: true, methods: methods.sort((a, b) => a.priority - b.priority).slice(0, MAX_METHODS) };
}

/** The default method, else the first by priority. */
export function defaultMethod(methods: readonly ShippingMethod[]): ShippingMethod | undefined {
  return methods.find((m) => m.isDefault) ?? methods[0];
}

export function staticShippingOf(payment: PaymentRow): unknown {
  return (JSON.parse(payment.merchant_info_json) as { staticShippingDetails?: unknown }).staticShippingDetails;
}

function shippingPrefixOf(payment: PaymentRow): string | undefined {
  return (JSON.parse(payment.merchant_info_json) as { shippingDetailsPrefix?: string }).shippingDetailsPrefix;
}

/**
 * The methods for this address: the static list when the merchant gave one, otherwise a call to
 * `[shippingDetailsPrefix]/v2/payments/{orderId}/shippingDetails` (10 s timeout, Authorization: authToken),
 * recorded like every outbound call (by the caller, in the transaction that acts on the answer). Runs outside any
 * transaction: it waits on the merchant.
 */
export async function shippingMethodsFor(
  ctx: AppContext,
  payment: PaymentRow,
  address: UserAddressRow,
): Promise<{ result: ShippingResult; call: SynchronousCall | null }> {
  const staticDetails = staticShippingOf(payment);
  if (staticDetails !== undefined) return { result: parseShippingMethods(staticDetails), call: null };
  const prefix = shippingPrefixOf(payment);
  if (prefix === undefined) return { result: { ok: false, reason: 'the payment has neither staticShippingDetails nor a shippingDetailsPrefix' }, call: null };
  const url = `${prefix}/v2/payments/${payment.order_id}/shippingDetails`;
  const headers: Record<string, string> = payment.auth_token === null ? {} : { Authorization: payment.auth_token };
  const body = JSON.stringify({
    addressId: address.id,
    addressLine1: address.address_line1,
    addressLine2: address.address_line2,
    city: address.city,
    country: address.country,
    postCode: address.post_code,
    addressType: address.address_type,
  });
  const timeoutMs = ctx.config.shippingTimeoutMs;
  const startedAtMs = ctx.clock.nowMs();
  const fault = await takeFault(ctx, payment.msn, 'slow_shipping');
  const result =
    fault !== null && fault.delayMs >= timeoutMs
      ? {
          httpStatus: null,
          responseText: null,
          responseExcerpt: null,
          error: `timed out after ${timeoutMs} ms (sandbox fault rule: answer after ${fault.delayMs} ms)`,
          latencyMs: timeoutMs,
        }
      : await ctx.deliverHttp({ method: 'POST', url, headers, body, timeoutMs });
  const outcome = interpret(result.httpStatus, result.responseText, result.error);
  const call: SynchronousCall = {
    msn: payment.msn,
    paymentId: payment.id,
    orderId: payment.order_id,
    kind: SHIPPING_CALL_KIND,
    method: 'POST',
    url,
    headersJson: JSON.stringify(headers),
    bodyJson: body,
    timeoutMs,
    startedAtMs,
    latencyMs: result.latencyMs,
    httpStatus: result.httpStatus,
    responseExcerpt: result.responseExcerpt,
    error: outcome.ok ? null : outcome.reason,
    succeeded: outcome.ok,
  };
  return { result: outcome, call };
}

function interpret(httpStatus: number | null, text: string | null, error: string | null): ShippingResult {
  if (error !== null) return { ok: false, reason: error };
  if (!isSuccess(httpStatus)) return { ok: false, reason: `the merchant answered HTTP ${httpStatus}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return { ok: false, reason: 'the merchant answered with something that is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'the merchant answered with something that is not an object' };
  return parseShippingMethods((parsed as { shippingDetails?: unknown }).shippingDetails);
}
