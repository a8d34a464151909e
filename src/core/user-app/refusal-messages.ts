import type { RefusalReason } from '../../domain/refusals.ts';

/** What the person in the app is told when the platform refuses: plain words, not a merchant API's error text. */
const USER_MESSAGES: Partial<Record<RefusalReason, string>> = {
  not_a_vipps_user: 'This number cannot pay businesses with Vipps.',
  app_version_not_supported: 'Your Vipps app is too old. Update it to pay.',
  already_processed: 'This payment has already been handled.',
  transaction_not_allowed: 'This payment request has expired.',
  user_not_bankid_verified: 'You need to verify yourself with BankID first.',
  order_not_found: 'This payment request does not exist.',
};

export function userMessageOf(reason: RefusalReason): string {
  return USER_MESSAGES[reason] ?? 'The payment could not be completed.';
}
