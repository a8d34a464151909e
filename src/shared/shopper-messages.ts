/**
 * What a shopper reads when the landing page or the app gets an error answer: a sentence for a person, never the
 * API's own text (which is written for the merchant's developer). Shared by the browser code and the tests.
 */
import { APP_ERROR_GROUP, APP_ERRORS } from './app-sign-in.ts';
import { PHONE_FORMAT_MESSAGE, PHONE_RULE_TEXT } from './phone-number.ts';

export const NETWORK_MESSAGE = 'Could not reach Vipps. Check your connection and try again.';
export const GENERIC_MESSAGE = 'Something went wrong. Try again in a moment.';

/**
 * The sentences themselves, one each: the browser picks them by the error answer's code (below), the server by the
 * refusal it decided (core/user-app/refusal-messages.ts), and both must say the same thing for the same refusal.
 */
export const SHOPPER_TEXT = {
  notAVippsUser: `This number is not a Vipps user. Check it: Vipps needs ${PHONE_RULE_TEXT}.`,
  appTooOld: 'Your Vipps app is too old for this payment. Update the app and try again.',
  shopUnavailable: 'The shop cannot take Vipps payments right now.',
  noLongerChangeable: 'This payment can no longer be changed.',
  alreadyHandled: 'This payment has already been handled.',
  expired: 'This payment request has expired.',
  bankIdFirst: 'You need to verify yourself with BankID first.',
  noSuchRequest: 'This payment request does not exist, or the link is not valid.',
  notCompleted: 'The payment could not be completed.',
} as const;

interface VippsErrorEntry {
  errorGroup?: unknown;
  errorCode?: unknown;
}

/** By "errorGroup errorCode": the shopper's side of the error table. */
const BY_CODE: Readonly<Record<string, string>> = {
  'User 81': SHOPPER_TEXT.notAVippsUser,
  'User 82': SHOPPER_TEXT.appTooOld,
  'Merchant 31': SHOPPER_TEXT.shopUnavailable,
  'Merchant 37': SHOPPER_TEXT.shopUnavailable,
  'VippsError 91': SHOPPER_TEXT.noLongerChangeable,
  'VippsError 92': SHOPPER_TEXT.alreadyHandled,
  'VippsError 98': 'Too many attempts at once. Wait a moment and try again.',
  // The app's own sign-in and session answers are written for the user already.
  ...Object.fromEntries(Object.entries(APP_ERRORS).map(([code, text]) => [`${APP_ERROR_GROUP} ${code}`, text])),
};

/** Input fields the shopper typed: a refusal there is about the phone number. */
const PHONE_FIELDS = new Set(['mobileNumber', 'msisdn', 'phoneNumber']);
const PIN_MESSAGE = 'A PIN is 4 to 6 digits.';

/** The human sentence for an error answer (status and parsed body; body may be anything). */
export function shopperMessage(status: number, body: unknown): string {
  const first: VippsErrorEntry | undefined = Array.isArray(body) ? (body[0] as VippsErrorEntry | undefined) : undefined;
  if (first) {
    const key = `${String(first.errorGroup)} ${String(first.errorCode)}`;
    const known = BY_CODE[key];
    if (known) return known;
    if (first.errorGroup === 'InvalidRequest' && PHONE_FIELDS.has(String(first.errorCode))) return PHONE_FORMAT_MESSAGE;
    if (first.errorGroup === 'InvalidRequest' && first.errorCode === 'pin') return PIN_MESSAGE;
  }
  if (status === 404) return SHOPPER_TEXT.noSuchRequest;
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status === 400) return 'Vipps could not use what was sent. Go back to the shop and try again.';
  return GENERIC_MESSAGE;
}
