import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../core/context.ts';
import { settlementsOf, type SettlementView } from '../../core/settlements/reports.ts';
import { authenticate } from '../ecomm-v2/authentication.ts';
import { osloTimestamp, sandboxBankAccountOf } from './presenters.ts';

const TAGS = ['Settlements (Kasse)'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];

export function settlementSummaryOf(s: SettlementView) {
  return {
    settlementId: String(s.id),
    ledgerDateFrom: s.ledgerDateFrom,
    ledgerDateTo: s.ledgerDateTo,
    settlementType: s.settlementType,
    capturedAmount: s.capturesOre,
    refundedAmount: s.refundsOre,
    feeAmount: s.feesOre,
    payoutAmount: s.payoutOre,
    settledAt: osloTimestamp(s.computedAtMs),
    payoutAt: osloTimestamp(s.payoutAtMs),
    bankBookedAt: osloTimestamp(s.bankBookedAtMs),
    status: s.status,
  };
}

/**
 * The merchant's settlements and its simulated bank account, with the keys of its sales unit: `/_kasse/settlements`
 * (newest first) and `/_kasse/settlements/bank-account` (payouts arrive on day 3 and are booked on day 5).
 */
export function settlementRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));

    app.get('/_kasse/settlements', { schema: { tags: TAGS, summary: 'The sales unit’s settlements, newest first', security } }, async (request) => ({
      items: (await settlementsOf(ctx, request.client.salesUnit.msn)).map(settlementSummaryOf),
    }));

    app.get(
      '/_kasse/settlements/bank-account',
      { schema: { tags: TAGS, summary: 'The simulated settlement account: payouts arriving (day 3) and booked (day 5)', security } },
      async (request) => {
        const { msn } = request.client.salesUnit;
        const arrived = (await settlementsOf(ctx, msn)).filter((s) => s.status !== 'scheduled').reverse();
        return {
          account: { scheme: 'BBAN:NO', id: sandboxBankAccountOf(msn) },
          bookedBalance: arrived.filter((s) => s.status === 'booked').reduce((sum, s) => sum + s.payoutOre, 0),
          transfers: arrived.map((s) => ({
            settlementId: String(s.id),
            amount: s.payoutOre,
            arrivedAt: osloTimestamp(s.payoutAtMs),
            bookedAt: s.status === 'booked' ? osloTimestamp(s.bankBookedAtMs) : null,
            reference: `Vipps ${msn} ${s.id}`,
            status: s.status,
          })),
        };
      },
    );
  };
}
