import { NotFoundError } from '../merchants/sales-units.ts';
import { findConsentById, listConsents, markConsentRemoved } from '../../store/repos/consents.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import { enqueueOutbound } from '../../store/repos/outbox.ts';
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
  await inTransaction(ctx, async ({ trx }) => {
    const consent = await findConsentById(trx, msisdn, consentId);
    if (!consent || consent.removed_at_ms !== null) throw new NotFoundError('no such consent');
    const nowMs = ctx.clock.nowMs();
    if (!(await markConsentRemoved(trx, consent.id, nowMs))) return;
    const user = await findTestUser(trx, msisdn);
    if (consent.consent_removal_prefix === null || !user?.user_id) return;
    await enqueueOutbound(trx, {
      msn: consent.msn,
      payment_id: null,
      order_id: null,
      kind: CONSENT_REMOVAL_KIND,
      method: 'DELETE',
      // Plain concatenation, like every merchant URL; the userId (base64) is URL-encoded.
      url: `${consent.consent_removal_prefix}/v2/consents/${encodeURIComponent(user.user_id)}`,
      headers_json: '{}',
      body_json: null,
      timeout_ms: ctx.config.callbackTimeoutMs,
      state: 'pending',
      attempts: 0,
      max_attempts: 1,
      next_attempt_at_ms: nowMs,
      lease_owner: null,
      lease_until_ms: null,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    });
  });
  ctx.onOutboundEnqueued();
}
