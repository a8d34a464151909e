import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { TRANSACTION_REPORT_FILE, sendTransactionReportFile, transactionReportSummaryOf } from '../../../channels/report/transaction-report-routes.ts';
import type { AppContext } from '../../../core/context.ts';
import { reportSubscriptionsOf, transactionReportsOf } from '../../../core/reports/transaction-reports.ts';
import { renderPage } from '../../web/templates.ts';

const Msn = Type.String({ pattern: '^\\d{5,6}$' });

/**
 * Sandbox page: a sales unit's report subscriptions and generated transaction reports with their e-mail delivery,
 * and the files to download. Like the bank account page it needs no keys (sandbox mode only); the same is at
 * `GET /_kasse/reports` with the merchant's keys.
 */
export function transactionReportsPage(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/_kasse/sandbox/reports/:msn', { schema: { hide: true, params: Type.Object({ msn: Msn }) } }, async (request, reply) => {
      const { msn } = request.params;
      const reports = (await transactionReportsOf(ctx, msn)).map(transactionReportSummaryOf);
      return reply.type('text/html; charset=utf-8').send(
        renderPage('transaction-reports', {
          msn,
          smtp: ctx.config.smtpUrl !== null,
          subscriptions: await reportSubscriptionsOf(ctx, msn),
          rows: reports.map((r) => ({
            ...r,
            period: r.periodFrom === r.periodTo ? r.periodFrom : `${r.periodFrom} – ${r.periodTo}`,
            email: r.email ? `${r.email.to}: ${r.email.state} (${r.email.attempts} ${r.email.attempts === 1 ? 'attempt' : 'attempts'})` : '—',
            csvHref: `/_kasse/sandbox/reports/${msn}/${r.reportId}.csv`,
            xlsxHref: `/_kasse/sandbox/reports/${msn}/${r.reportId}.xlsx`,
          })),
        }),
      );
    });

    app.get(
      '/_kasse/sandbox/reports/:msn/:file',
      { schema: { hide: true, params: Type.Object({ msn: Msn, file: Type.String({ pattern: TRANSACTION_REPORT_FILE }) }) } },
      async (request, reply) => sendTransactionReportFile(ctx, reply, request.params.msn, request.params.file),
    );
  };
}
