import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import {
  REPORT_EMAIL,
  reportSubscriptionsOf,
  requireTransactionReportDocument,
  subscribeToReports,
  transactionReportsOf,
  unsubscribeFromReports,
  type ReportSubscriptionView,
  type TransactionReportView,
} from '../../core/reports/transaction-reports.ts';
import { authenticate } from '../ecomm-v2/authentication.ts';
import { transactionReportCsv } from './files/transaction-report-csv.ts';
import { transactionReportFileName, transactionReportXlsx } from './files/transaction-report-xlsx.ts';
import { osloTimestamp } from './presenters.ts';

const TAGS = ['Transaction reports (Kasse)'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];
const Frequency = Type.Union([Type.Literal('daily'), Type.Literal('monthly')]);
/** The file names a report answers to. */
export const TRANSACTION_REPORT_FILE = '^\\d{1,15}\\.(csv|xlsx)$';
const Email = Type.String({ pattern: REPORT_EMAIL.pattern.source, maxLength: REPORT_EMAIL.maxLength });

export function transactionReportSummaryOf(report: TransactionReportView) {
  return {
    reportId: String(report.id),
    frequency: report.frequency,
    periodFrom: report.periodFrom,
    periodTo: report.periodTo,
    generatedAt: osloTimestamp(report.generatedAtMs),
    operations: report.operationCount,
    files: { csv: `/_kasse/reports/${report.id}.csv`, xlsx: `/_kasse/reports/${report.id}.xlsx` },
    email: report.mail,
  };
}

function subscriptionOf(subscription: ReportSubscriptionView) {
  return { frequency: subscription.frequency, email: subscription.email, startsOn: subscription.startsOn, createdAt: osloTimestamp(subscription.createdAtMs) };
}

/**
 * The sales unit's transaction reports with its keys: subscriptions (PUT creates or changes one, DELETE ends it), the
 * generated reports (newest period first), and each one's CSV and XLSX. Another sales unit's report is 404 like an
 * unknown one.
 */
export function transactionReportRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));

    app.get('/_kasse/reports', { schema: { tags: TAGS, summary: 'The sales unit’s transaction reports, newest period first', security } }, async (request) => ({
      items: (await transactionReportsOf(ctx, request.client.salesUnit.msn)).map(transactionReportSummaryOf),
    }));

    app.get('/_kasse/reports/subscriptions', { schema: { tags: TAGS, summary: 'The sales unit’s report subscriptions', security } }, async (request) => ({
      items: (await reportSubscriptionsOf(ctx, request.client.salesUnit.msn)).map(subscriptionOf),
    }));

    app.put(
      '/_kasse/reports/subscriptions',
      {
        schema: {
          tags: TAGS,
          summary: 'Subscribe to daily or monthly transaction reports (optionally by e-mail), or change the address',
          security,
          body: Type.Object({ frequency: Frequency, email: Type.Optional(Type.Union([Email, Type.Null()])) }, { additionalProperties: false }),
        },
      },
      async (request) =>
        subscriptionOf(await subscribeToReports(ctx, request.client.salesUnit.msn, { frequency: request.body.frequency, email: request.body.email ?? null })),
    );

    app.delete(
      '/_kasse/reports/subscriptions',
      {
        schema: {
          tags: TAGS,
          summary: 'End a subscription (reports already generated stay); answers 204 whether or not there was one',
          security,
          querystring: Type.Object({ frequency: Frequency }),
        },
      },
      async (request, reply) => {
        await unsubscribeFromReports(ctx, request.client.salesUnit.msn, request.query.frequency);
        return reply.code(204).send();
      },
    );

    app.get(
      '/_kasse/reports/:file',
      {
        schema: {
          tags: TAGS,
          summary: 'A transaction report: every payment operation of its period, as CSV or XLSX',
          security,
          params: Type.Object({ file: Type.String({ pattern: TRANSACTION_REPORT_FILE }) }),
        },
      },
      async (request, reply) => sendTransactionReportFile(ctx, reply, request.client.salesUnit.msn, request.params.file),
    );
  };
}

/** `{id}.{csv|xlsx}` of the sales unit's own report as an attachment; NotFoundError for any other. */
export async function sendTransactionReportFile(ctx: AppContext, reply: FastifyReply, msn: string, file: string): Promise<FastifyReply> {
  const [id, extension] = file.split('.') as [string, keyof typeof FILE_TYPES];
  const doc = await requireTransactionReportDocument(ctx, msn, Number(id));
  return reply
    .type(FILE_TYPES[extension].contentType)
    .header('content-disposition', `attachment; filename="${transactionReportFileName(doc, extension)}"`)
    .send(await FILE_TYPES[extension].render(doc));
}

const FILE_TYPES = {
  csv: { contentType: 'text/csv; charset=utf-8', render: transactionReportCsv },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', render: transactionReportXlsx },
} as const;
