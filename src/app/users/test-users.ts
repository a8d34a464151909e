import { VippsError } from '../../domain/errors.ts';
import type { Trx } from '../../store/db.ts';
import { findTestUser, insertTestUserIfAbsent } from '../../store/repos/users.ts';

/** A Visa BIN, as in the ecomm v2 documentation's example. */
export const DEFAULT_CARD_BIN = 492560;

/** Norwegian mobile numbers: 8 digits starting with 4 or 9. Any such number is a test user in the sandbox. */
export const NORWEGIAN_MOBILE = /^[49]\d{7}$/;

/**
 * The Vipps user behind a phone number. Unknown Norwegian mobile numbers are provisioned on first use as
 * BankID-verified users with a valid card and ample funds; anything else is not a Vipps user (User 81).
 */
export async function resolveTestUser(trx: Trx, msisdn: string, nowMs: number) {
  const existing = await findTestUser(trx, msisdn);
  if (existing) return existing;
  if (!NORWEGIAN_MOBILE.test(msisdn)) throw new VippsError('not_a_vipps_user');
  await insertTestUserIfAbsent(trx, {
    msisdn,
    first_name: 'Test',
    last_name: `User ${msisdn}`,
    email: `user-${msisdn}@example.com`,
    bankid_verified: 1,
    card_bin: DEFAULT_CARD_BIN,
    created_at_ms: nowMs,
  });
  const created = await findTestUser(trx, msisdn);
  if (!created) throw new Error(`test user ${msisdn} was not created`);
  return created;
}
