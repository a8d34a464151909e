import { randomUUID } from 'node:crypto';
import type { Trx } from '../../store/db.ts';
import { findConsent, insertConsent, updateConsent } from '../../store/repos/consents.ts';
import type { PaymentRow, TestUserRow } from '../../store/schema.ts';

/** What an express payment shares: the profile and the address (REFERENCE §10.1). */
export const EXPRESS_SCOPE = ['name', 'email', 'phoneNumber', 'address'];

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * The user lets this merchant use their data (express checkout, or the `scope` of a payment). One consent per
 * user and merchant, with a stable `sub`; a renewed consent widens the scope and undoes an earlier removal.
 */
export async function grantConsent(trx: Trx, user: TestUserRow, payment: PaymentRow, scopes: readonly string[], nowMs: number): Promise<string> {
  const removalPrefix = (JSON.parse(payment.merchant_info_json) as { consentRemovalPrefix?: string }).consentRemovalPrefix ?? null;
  await insertConsent(trx, {
    msisdn: user.msisdn,
    msn: payment.msn,
    sub: randomUUID(),
    scope: scopes.join(' '),
    consent_removal_prefix: removalPrefix,
    created_at_ms: nowMs,
  });
  const consent = await findConsent(trx, user.msisdn, payment.msn);
  if (!consent) throw new Error('consent vanished');
  const scope = union(consent.removed_at_ms === null ? consent.scope.split(' ').filter(Boolean) : [], scopes).join(' ');
  if (scope !== consent.scope || consent.removed_at_ms !== null || (removalPrefix !== null && removalPrefix !== consent.consent_removal_prefix)) {
    await updateConsent(trx, consent.id, { scope, consent_removal_prefix: removalPrefix ?? consent.consent_removal_prefix, removed_at_ms: null });
  }
  return consent.sub;
}
