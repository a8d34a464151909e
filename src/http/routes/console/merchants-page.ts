import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { listMerchantsWithUnits, merchantWithUnits } from '../../../core/merchants/sales-units.ts';
import { readAuditLog } from '../../../core/operators/audit.ts';
import type { SalesUnitRow } from '../../../store/schema.ts';
import { auditRows } from './audit-log-page.ts';
import { operatorOf, sendConsolePage, statusBadge, utcText } from './console-page.ts';

/** One line of a sales-unit table. */
export function unitRow(unit: SalesUnitRow) {
  return {
    msn: unit.msn,
    name: unit.name,
    href: `/console/sales-units/${encodeURIComponent(unit.msn)}`,
    status: statusBadge(unit.status),
    captureType: unit.capture_type,
    testUnit: unit.test_unit === 1,
    fees: `${unit.fee_basis_points} bp + ${unit.fee_fixed_ore} øre`,
    settlement: `${unit.settlement_type}, ${unit.payout_frequency}`,
  };
}

/** GET /console: every merchant with its sales units. GET /console/merchants/{id}: one merchant and its history. */
export function merchantsPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/console', { schema: { hide: true } }, async (request, reply) => {
    const operator = operatorOf(request);
    const merchants = await listMerchantsWithUnits(ctx);
    return sendConsolePage(reply, operator, {
      template: 'merchants',
      current: 'merchants',
      title: 'Merchants & sales units',
      data: {
        merchants: merchants.map((m) => ({
          name: m.name,
          orgNumber: m.org_number ?? '—',
          href: `/console/merchants/${encodeURIComponent(m.id)}`,
          units: m.salesUnits.map(unitRow),
        })),
      },
    });
  });

  app.get<{ Params: { merchantId: string } }>('/console/merchants/:merchantId', { schema: { hide: true } }, async (request, reply) => {
    const operator = operatorOf(request);
    const merchant = await merchantWithUnits(ctx, request.params.merchantId);
    return sendConsolePage(reply, operator, {
      template: 'merchant',
      current: 'merchants',
      title: merchant.name,
      data: {
        name: merchant.name,
        facts: [
          ['Merchant id', merchant.id],
          ['Organisation number', merchant.org_number ?? '—'],
          ['Created', utcText(merchant.created_at_ms)],
        ],
        units: merchant.salesUnits.map(unitRow),
        audit: auditRows(await readAuditLog(ctx, { subject: merchant.id, limit: 20 })),
      },
    });
  });
}
