import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { NotFoundError } from '../../../core/merchants/sales-units.ts';
import { ownUnit } from '../../../core/portal/scope.ts';
import { settlementDocument, settlementsOf } from '../../../core/settlements/reports.ts';
import { osloDateOf } from '../../../domain/bank-calendar.ts';
import { formatNok } from '../../../shared/money-text.ts';
import { SETTLEMENT_FILES, SETTLEMENT_FILE_TYPES, type SettlementFileType } from '../../../channels/report/files/settlement-files.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';

const STATUS_TEXT = { scheduled: 'scheduled', paid: 'paid out', booked: 'booked by your bank' } as const;
const FILE_NAME = /^(\d{1,15})\.(xml|csv|xlsx|pdf)$/;

/**
 * GET /portal/settlements: every settlement of the merchant's sales units, newest first, with its payout status and
 * its files; GET /portal/settlements/{msn}/{id}.{xml|csv|xlsx|pdf} downloads one (the Report channel's renderers).
 */
export function settlementsPage(app: FastifyInstance, ctx: AppContext): void {
  app.get('/portal/settlements', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewSettlements');
    const perUnit = await Promise.all(user.scope.units.map(async (unit) => (await settlementsOf(ctx, unit.msn)).map((s) => ({ ...s, unitName: unit.name }))));
    const settlements = perUnit.flat().sort((a, b) => b.payoutAtMs - a.payoutAtMs || b.id - a.id);
    return sendPortalPage(reply, user, {
      template: 'settlements',
      current: 'settlements',
      title: 'Settlements',
      data: {
        settlements: settlements.map((s) => ({
          id: s.id,
          msn: s.msn,
          unitName: s.unitName,
          period: s.ledgerDateFrom === s.ledgerDateTo ? s.ledgerDateFrom : `${s.ledgerDateFrom} – ${s.ledgerDateTo}`,
          type: s.settlementType,
          captured: formatNok(s.capturesOre),
          refunded: formatNok(s.refundsOre),
          fees: formatNok(s.feesOre),
          payout: formatNok(s.payoutOre),
          payoutDate: osloDateOf(s.payoutAtMs),
          status: STATUS_TEXT[s.status],
          tone: s.status === 'scheduled' ? 'wait' : 'ok',
          files: SETTLEMENT_FILE_TYPES.map((type) => ({ type: type.toUpperCase(), href: `/portal/settlements/${s.msn}/${s.id}.${type}` })),
        })),
      },
    });
  });

  app.get<{ Params: { msn: string; file: string } }>('/portal/settlements/:msn/:file', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewSettlements');
    const unit = ownUnit(user.scope, request.params.msn);
    const match = FILE_NAME.exec(request.params.file);
    if (!match) throw new NotFoundError(`no settlement file ${request.params.file}`);
    const [, id, extension] = match as unknown as [string, string, SettlementFileType];
    const doc = await settlementDocument(ctx, unit.msn, Number(id));
    if (!doc) throw new NotFoundError(`settlement ${id} does not exist`);
    const file = SETTLEMENT_FILES[extension];
    return reply
      .type(file.contentType)
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${unit.msn}-${id}.${extension}"`)
      .send(await file.render(doc));
  });
}
