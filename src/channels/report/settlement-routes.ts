import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../core/context.ts';
import { Type } from 'typebox';
import { settlementDocument, settlementsOf, type SettlementView } from '../../core/settlements/reports.ts';
import { NotFoundError } from '../../core/merchants/sales-units.ts';
import { SETTLEMENT_FILES } from './files/settlement-files.ts';
import { authenticate } from '../ecomm-v2/authentication.ts';
import { bankAccountOf } from './bank-account.ts';
import { osloTimestamp } from './presenters.ts';

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
      async (request) => bankAccountOf(ctx, request.client.salesUnit.msn),
    );

    app.get(
      '/_kasse/settlements/:file',
      {
        schema: {
          tags: TAGS,
          summary: 'A settlement’s file: XML (SettlementReport 3.0), sectioned CSV, XLSX or PDF',
          security,
          params: Type.Object({ file: Type.String({ pattern: '^\\d{1,15}\\.(xml|csv|xlsx|pdf)$' }) }),
        },
      },
      async (request, reply) => {
        const [id, extension] = request.params.file.split('.') as [string, keyof typeof SETTLEMENT_FILES];
        const doc = await settlementDocument(ctx, request.client.salesUnit.msn, Number(id));
        if (!doc) throw new NotFoundError(`settlement ${id} does not exist`);
        const body = await SETTLEMENT_FILES[extension].render(doc);
        return reply
          .type(SETTLEMENT_FILES[extension].contentType)
          .header('content-disposition', `attachment; filename="${doc.settlement.msn}-${id}.${extension}"`)
          .send(body);
      },
    );
  };
}
