/**
 * The integration checklist's vocabulary and its pure rules (graded in core/checklist/integration-checklist.ts).
 * Vipps reviews an integration by hand against its checklist; Kasse grades the same items from what it saw.
 */
export type ChecklistStatus = 'met' | 'not_met' | 'not_exercised';

export const CHECKLIST_ITEMS = [
  'all-endpoints',
  'partial-capture-with-request-id',
  'partial-refund-with-request-id',
  'details-when-callback-missing',
  'callbacks-answered-2xx',
  'vipps-system-headers',
  'useful-order-ids',
  'order-ending-in-refund',
  'order-ending-in-void',
  'express-shipping-details-in-time',
] as const;
export type ChecklistItemId = (typeof CHECKLIST_ITEMS)[number];

/** The shortest orderId counted as useful. */
export const USEFUL_ORDER_ID_MIN_LENGTH = 8;

/**
 * A useful orderId can be found again in the merchant's own systems and in Vipps': at least 8 characters and not
 * digits only (e.g. `acme-shop-123-order123abc`). Kasse's decision from the guide: short numeric ids are discouraged
 * (slow lookups, and `sub` may be missing for very short ones), and a shop prefix keeps orders of several shops apart.
 */
export function isUsefulOrderId(orderId: string): boolean {
  return orderId.length >= USEFUL_ORDER_ID_MIN_LENGTH && !/^\d+$/.test(orderId);
}

/** Callback statuses that report a success; every other status a callback carries reports a failure. */
const SUCCESS_CALLBACK_STATUSES = new Set(['RESERVED', 'RESERVE', 'SALE']);

export function isSuccessCallbackStatus(status: string): boolean {
  return SUCCESS_CALLBACK_STATUSES.has(status);
}

export function isSuccessfulHttpStatus(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
