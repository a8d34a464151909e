import { NotFoundError } from '../merchants/sales-units.ts';
import { findConsentById, listConsents, markConsentRemoved } from '../../store/repos/consents.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import { enqueueMerchantCall } from '../callbacks/merchant-calls.ts';
import { findTestUser } from '../../store/repos/users.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

export const CONSENT_REMOVAL_KIND = 'consent_removal';

/** "Companies that remember you": the merchants this user shares data with. */
export async function consentsOf(ctx: AppContext, msisdn: string) {
  const consents = await listConsents(ctx.store.db, msisdn);
  return Promise.all(
    consents.map(async (consent) => ({
      id: consent.id,
      merchantName: (await findSalesUnit(ctx.store.db, consent.msn))?.name ?? consent.msn,
      scopes: consent.scope.split(' ').filter(Boolean),
      since: consent.created_at_ms,
    })),
  );
}

/**
 * The user removes a merchant's consent in the app: the merchant is told with
 * `DELETE [consentRemovalPrefix]/v2/consents/{userId}` (userId URL-encoded), sent from the outbox, and
 * userinfo for that merchant stops answering.
 */
export async function removeConsent(ctx: AppContext, msisdn: string, consentId: number): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const consent = await findConsentById(tx.trx, msisdn, consentId);
    if (!consent || consent.removed_at_ms !== null) throw new NotFoundError('no such consent');
    if (!(await markConsentRemoved(tx.trx, consent.id, tx.nowMs))) return;
    const user = await findTestUser(tx.trx, msisdn);
    if (consent.consent_removal_prefix === null || !user?.user_id) return;
    await enqueueMerchantCall(tx, {
      msn: consent.msn,
      payment: null,
      kind: CONSENT_REMOVAL_KIND,
      method: 'DELETE',
      // Plain concatenation, like every merchant URL; the userId (base64) is URL-encoded.
      url: `${consent.consent_removal_prefix}/v2/consents/${encodeURIComponent(user.user_id)}`,
      headers: {},
      body: null,
      timeoutMs: tx.config.callbackTimeoutMs,
    });
  });
}
