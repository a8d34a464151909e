/**
 * Why the platform said no, channel-neutral: a reason, not a wire code. Each channel maps a reason to its own error
 * body and HTTP status (ecomm v2: src/channels/ecomm-v2/error-catalogue.ts). Failed operations store their reason in
 * `payment_operation.error_key`, so the names are part of the data and do not change.
 */
export const REFUSAL_REASONS = [
  'no_valid_card',
  'refused_by_issuer',
  'invalid_amount_at_issuer',
  'expired_card',
  'user_did_not_act',
  'cancel_after_capture',
  'cancel_failed',
  'capture_exceeds_reserved',
  'capture_not_reserved',
  'capture_failed',
  'refund_exceeds_captured',
  'refund_of_reserved',
  'refund_of_cancelled',
  'refund_window_passed',
  'capture_window_passed',
  'user_not_bankid_verified',
  'transaction_not_allowed',
  'already_processed',
  'idempotency_key_reused',
  'order_locked',
  'too_many_requests',
  'internal_error',
  'not_a_vipps_user',
  'app_version_not_supported',
  'merchant_blocked',
  'duplicate_order_id',
  'order_not_found',
  'sales_unit_unavailable',
  'skip_landing_page_not_allowed',
  'nin_scope_not_allowed',
  'msn_not_for_keys',
  'express_not_allowed',
  'not_allowed_for_ecommerce',
  'force_approve_not_available',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export function isRefusalReason(value: string): value is RefusalReason {
  return (REFUSAL_REASONS as readonly string[]).includes(value);
}

/**
 * A business rule said no. `detail` replaces the channel's standard text where the platform says more (the orderId
 * and MSN of a 35). `recorded`: the refusal wrote what the platform keeps of it (a failed RESERVE or CAPTURE in the
 * operation log), so the transaction commits; every other refusal rolls back everything the use case wrote.
 */
export class Refused extends Error {
  readonly reason: RefusalReason;
  readonly detail: string | undefined;
  readonly recorded: boolean;
  constructor(reason: RefusalReason, options: { detail?: string; recorded?: boolean } = {}) {
    super(options.detail ?? reason);
    this.reason = reason;
    this.detail = options.detail;
    this.recorded = options.recorded ?? false;
  }
}

/** A command field failed validation; channels answer it as bad input naming the field. */
export class InvalidRequestError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export function orderNotFound(orderId: string, msn: string): Refused {
  return new Refused('order_not_found', { detail: `The orderId '${orderId}' does not exist for MSN ${msn}.` });
}
