import type { RefusalReason } from '../../domain/refusals.ts';
import { SHOPPER_TEXT } from '../../shared/shopper-messages.ts';

/**
 * What the person in the app is told when the platform refuses a confirmation: the sentence the browser shows for
 * the same refusal as an error answer (src/shared/shopper-messages.ts), never a merchant API's error text.
 */
const USER_MESSAGES: Partial<Record<RefusalReason, string>> = {
  not_a_vipps_user: SHOPPER_TEXT.notAVippsUser,
  app_version_not_supported: SHOPPER_TEXT.appTooOld,
  already_processed: SHOPPER_TEXT.alreadyHandled,
  transaction_not_allowed: SHOPPER_TEXT.expired,
  user_not_bankid_verified: SHOPPER_TEXT.bankIdFirst,
  order_not_found: SHOPPER_TEXT.noSuchRequest,
};

export function userMessageOf(reason: RefusalReason): string {
  return USER_MESSAGES[reason] ?? SHOPPER_TEXT.notCompleted;
}
