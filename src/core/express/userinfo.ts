import { listAddresses } from '../../store/repos/addresses.ts';
import { findConsentBySub } from '../../store/repos/consents.ts';
import { findTestUser } from '../../store/repos/users.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../merchants/sales-units.ts';

/**
 * `GET /vipps-userinfo-api/userinfo/{sub}`: the claims the user consented to share with this merchant, in the
 * Userinfo API's OpenID Connect shape. A removed consent, or another merchant's sub, answers like an unknown one.
 */
export async function userinfo(ctx: AppContext, msn: string, sub: string) {
  const consent = await findConsentBySub(ctx.store.db, msn, sub);
  if (!consent || consent.removed_at_ms !== null) throw new NotFoundError(`No user info for sub ${sub}`);
  const user = await findTestUser(ctx.store.db, consent.msisdn);
  if (!user) throw new NotFoundError(`No user info for sub ${sub}`);
  const scopes = new Set(consent.scope.split(' '));
  const claims: Record<string, unknown> = { sub };
  if (scopes.has('name')) {
    Object.assign(claims, { name: `${user.first_name} ${user.last_name}`, given_name: user.first_name, family_name: user.last_name });
  }
  if (scopes.has('email')) Object.assign(claims, { email: user.email, email_verified: true });
  // Userinfo uses MSISDN format, unlike userDetails.mobileNumber in ecomm.
  if (scopes.has('phoneNumber')) claims.phone_number = `47${user.msisdn}`;
  if (scopes.has('birthDate') && user.birth_date) claims.birthdate = user.birth_date;
  if (scopes.has('nin') && user.nin) claims.nin = user.nin;
  if (scopes.has('address')) {
    const [first, ...others] = (await listAddresses(ctx.store.db, user.msisdn)).map((a) => ({
      street_address: [a.address_line1, a.address_line2].filter(Boolean).join('\n'),
      postal_code: a.post_code,
      region: a.city,
      country: a.country,
      formatted: `${[a.address_line1, a.address_line2].filter(Boolean).join('\n')}\n${a.post_code}\n${a.city}\n${a.country}`,
      address_type: a.address_type === 'H' ? 'home' : a.address_type === 'W' ? 'work' : 'other',
    }));
    if (first) Object.assign(claims, { address: first, other_addresses: others });
  }
  return claims;
}
