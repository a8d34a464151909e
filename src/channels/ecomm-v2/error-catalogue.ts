import type { Refused, RefusalReason } from '../../domain/refusals.ts';

/**
 * The ecomm v2 error catalogue: the Vipps error body of every refusal reason.
 * (errorGroup, errorCode) is the real key — codes collide across groups (51, 93, 98).
 * HTTP statuses follow REFERENCE.md, Kasse decision 4.
 */
export type ErrorGroup = 'Authentication' | 'Payment' | 'InvalidRequest' | 'VippsError' | 'User' | 'Merchant';

export interface ErrorDefinition {
  readonly group: ErrorGroup;
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
}

function define(group: ErrorGroup, code: string, httpStatus: number, message: string): ErrorDefinition {
  return { group, code, message, httpStatus };
}

export const ERRORS = {
  no_valid_card: define('Payment', '41', 400, 'The user does not have a valid card.'),
  refused_by_issuer: define('Payment', '42', 400, 'Refused by the issuer.'),
  invalid_amount_at_issuer: define('Payment', '43', 400, 'Refused by the issuer: Invalid amount.'),
  expired_card: define('Payment', '44', 400, 'Refused by the issuer: Expired card.'),
  user_did_not_act: define('Payment', '45', 400, 'Reservation failed, reason unknown.'),
  cancel_after_capture: define('Payment', '51', 400, 'Cannot cancel an orderId that has already been captured.'),
  cancel_failed: define('Payment', '52', 400, 'Cancellation failed, reason unknown.'),
  capture_exceeds_reserved: define(
    'Payment',
    '61',
    400,
    'The total capture amount exceeds the reserved amount. You cannot capture a higher amount than the user has accepted. Check the payment details',
  ),
  capture_not_reserved: define(
    'Payment',
    '62',
    400,
    'The amount you tried to capture is not reserved. The user must accept the payment before capture can be done.',
  ),
  capture_failed: define(
    'Payment',
    '63',
    400,
    'Capture failed an unknown reason. Retrieve the payment details to see the full details.',
  ),
  refund_exceeds_captured: define('Payment', '71', 400, 'Cannot refund a higher amount than the captured amount.'),
  refund_of_reserved: define('Payment', '72', 400, 'Cannot refund a reserved order. The orderId can be canceled instead.'),
  refund_of_cancelled: define('Payment', '73', 400, 'Cannot refund a canceled order.'),
  refund_window_passed: define(
    'Payment',
    '95',
    400,
    'Payments can only be refunded up to 365 days after reservation. See the FAQ.',
  ),
  capture_window_passed: define(
    'Payment',
    '98',
    400,
    'Payments can only be captured up to 180 days after reservation. See the FAQ.',
  ),
  user_not_bankid_verified: define('Payment', '1082', 400, 'This person is not BankID verified'),
  transaction_not_allowed: define('VippsError', '91', 400, 'The transaction is not allowed.'),
  // The real API: "only available in our Test environment … use of the endpoint in production is not allowed, and will
  // fail" (docs/STATE_MACHINE.md, refusals outside the state machine).
  force_approve_not_available: define(
    'VippsError',
    '91',
    403,
    'The transaction is not allowed. Force approve is only available in the test environment; in production the user approves in the app.',
  ),
  already_processed: define('VippsError', '92', 400, 'The transaction has already been processed.'),
  idempotency_key_reused: define(
    'VippsError',
    '93',
    409,
    'The request must be identical to the previous request(s) in an idempotent retry.',
  ),
  order_locked: define(
    'VippsError',
    '94',
    409,
    'Order locked and is already processing. Retry the same request later, with the same idempotency key.',
  ),
  too_many_requests: define('VippsError', '98', 429, 'Too many concurrent requests. See the FAQ.'),
  internal_error: define(
    'VippsError',
    '99',
    500,
    'Internal error. In some cases, this is caused by an incorrect API request. Please check the request.',
  ),
  not_a_vipps_user: define(
    'User',
    '81',
    400,
    'The phone number is either incorrectly formatted (see the API specification), is not a Vipps user, or the user cannot pay businesses. Vipps cannot give more details.',
  ),
  app_version_not_supported: define('User', '82', 400, "The user's app version is not supported."),
  merchant_blocked: define(
    'Merchant',
    '31',
    403,
    'The merchant is blocked. The merchant can contact customer service for details.',
  ),
  duplicate_order_id: define(
    'Merchant',
    '34',
    400,
    'Duplicate orderId. The orderId must be unique for each MSN. It has already been used for this MSN.',
  ),
  order_not_found: define('Merchant', '35', 404, 'The orderId does not exist for this MSN.'),
  sales_unit_unavailable: define(
    'Merchant',
    '37',
    403,
    'The merchant and/or sales unit is unavailable, deleted, deactivated or blocked for payments.',
  ),
  skip_landing_page_not_allowed: define(
    'Merchant',
    '38',
    403,
    'The sales unit is not allowed to skip the landing page. See the FAQ.',
  ),
  nin_scope_not_allowed: define('Merchant', '51', 403, 'The Nin scope is not allowed'),
  msn_not_for_keys: define(
    'Authentication',
    '403',
    403,
    'Invalid MSN. Check your API keys on portal.vipps.no and see the eCom FAQ for tips.',
  ),
  // No code in the error table means "express is not enabled"; Merchant 97 means the unit may take no payments at all.
  // So the refused value is named as bad input (docs/STATE_MACHINE.md, "Refusals outside the state machine").
  express_not_allowed: define(
    'InvalidRequest',
    'merchantInfo.paymentType',
    400,
    'merchantInfo.paymentType "eComm Express Payment" is not enabled for this sales unit. Send "eComm Regular Payment", or ask the operator to enable express checkout.',
  ),
  // A Vipps-nummer (or login-only) sales unit: the table's text, and the words the KB says the body carries.
  not_allowed_for_ecommerce: define(
    'Merchant',
    '97',
    403,
    'Merchant Not Allowed for Ecommerce Payment: the sales unit is not allowed to perform payments. See the FAQ.',
  ),
} as const satisfies Record<RefusalReason, ErrorDefinition>;

/** The catalogue entry of a refusal, with the core's own detail as the message where it gave one. */
export function ecommErrorOf(refused: Refused): ErrorDefinition {
  const definition: ErrorDefinition = ERRORS[refused.reason];
  return refused.detail === undefined ? definition : { ...definition, message: refused.detail };
}
