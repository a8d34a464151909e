import { normalizePhoneNumber } from '../../shared/phone-number.ts';
import { InvalidRequestError, Refused } from '../../domain/refusals.ts';

/**
 * URL rules of the real API (REFERENCE §4.2), relaxed where Kasse must differ: merchants test against
 * http://127.0.0.1:<any port>, so http and localhost are accepted. fallBack may also be a custom scheme
 * (myapp://) or exactly "INTENT"; with isApp it is not validated at all.
 */
export function checkCallbackUrl(field: string, value: string): void {
  if (!/^https?:\/\/[^\s/?#]+/i.test(value) || !URL.canParse(value)) {
    throw new InvalidRequestError(field, `${field} must be an absolute http(s) URL`);
  }
}

/** Schemes a browser would run or read locally rather than navigate to: never a place to send a payer. */
const UNSAFE_SCHEMES = /^(javascript|data|vbscript|file|blob):/i;

export function checkFallBack(value: string, isApp: boolean): void {
  if (value === 'INTENT') return;
  if (UNSAFE_SCHEMES.test(value.trim())) {
    throw new InvalidRequestError('merchantInfo.fallBack', 'merchantInfo.fallBack must not be a javascript:, data:, vbscript:, file: or blob: URL');
  }
  if (isApp) return;
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(value) || !URL.canParse(value)) {
    throw new InvalidRequestError('merchantInfo.fallBack', 'merchantInfo.fallBack must be an absolute URL (https or a custom scheme)');
  }
}

/**
 * "Vipps attempts to correct incorrectly formatted phone numbers instead of responding with 400" —
 * spaces, +47 and 0047 are stripped; what is still not 8 digits is User 81.
 */
export function normalizeMobileNumber(value: string | number | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  const digits = normalizePhoneNumber(value);
  if (digits === null) throw new Refused('not_a_vipps_user');
  return digits;
}

/** Capture and refund: omitted, null or 0 means "all of it"; 1–99 øre is below the smallest amount. */
export function actionAmountOre(amount: number | null | undefined): number | null {
  if (amount === undefined || amount === null || amount === 0) return null;
  if (amount < 100) throw new InvalidRequestError('transaction.amount', 'transaction.amount must be 0 (everything) or at least 100 øre');
  return amount;
}
