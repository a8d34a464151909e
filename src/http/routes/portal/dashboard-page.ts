import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { dashboard } from '../../../core/portal/dashboard.ts';
import { osloDateOf } from '../../../domain/bank-calendar.ts';
import { formatNok } from '../../../shared/money-text.ts';
import type { DashboardChartDay } from '../../../shared/view-models.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';

const DAYS = 30;

/** GET /portal: volume and count per day (captured, refunded, failed) and payouts, as a chart and a table. */
export function dashboardPage(app: FastifyInstance, ctx: AppContext): void {
  app.get('/portal', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewPayments');
    const { days, totals } = await dashboard(ctx, user.scope, DAYS);
    const chart: DashboardChartDay[] = days.map((d) => ({
      date: d.date,
      capturedOre: d.capturedOre,
      refundedOre: d.refundedOre,
      failedOre: d.failedOre,
      payoutOre: d.payoutOre,
      capturedCount: d.capturedCount,
      refundedCount: d.refundedCount,
      failedCount: d.failedCount,
    }));
    return sendPortalPage(reply, user, {
      template: 'dashboard',
      current: 'dashboard',
      title: 'Dashboard',
      data: {
        dayCount: DAYS,
        today: osloDateOf(ctx.clock.nowMs()),
        chartJson: JSON.stringify(chart),
        totals: {
          captured: formatNok(totals.capturedOre),
          capturedText: totals.capturedCount === 1 ? '1 capture or sale' : `${totals.capturedCount} captures and sales`,
          refunded: formatNok(totals.refundedOre),
          refundedText: totals.refundedCount === 1 ? '1 refund' : `${totals.refundedCount} refunds`,
          failed: formatNok(totals.failedOre),
          failedCount: totals.failedCount,
          payouts: formatNok(totals.payoutOre),
        },
        days: days
          .slice()
          .reverse()
          .map((d) => ({ ...d, captured: formatNok(d.capturedOre), refunded: formatNok(d.refundedOre), payouts: formatNok(d.payoutOre) })),
      },
    });
  });
}
