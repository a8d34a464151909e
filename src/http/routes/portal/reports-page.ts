import type { FastifyInstance } from 'fastify';
import { sendTransactionReportFile, TRANSACTION_REPORT_FILE } from '../../../channels/report/transaction-report-routes.ts';
import type { AppContext } from '../../../core/context.ts';
import { NotFoundError } from '../../../core/merchants/sales-units.ts';
import { ownUnit } from '../../../core/portal/scope.ts';
import { REPORT_EMAIL, reportSubscriptionsOf, subscribeToReports, transactionReportsOf, unsubscribeFromReports } from '../../../core/reports/transaction-reports.ts';
import { isReportFrequency, REPORT_FREQUENCIES, type ReportFrequency } from '../../../domain/report-periods.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import type { OutboxState } from '../../../store/schema.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';
import { utcSecondText } from './time-text.ts';

const REPORT_FILE = new RegExp(TRANSACTION_REPORT_FILE);
const MAIL_TONE: Record<OutboxState, string> = { delivered: 'ok', pending: 'wait', dead: 'bad' };
const MAIL_TEXT: Record<OutboxState, string> = { delivered: 'delivered', pending: 'being sent', dead: 'gave up' };
/** What the page says after a form (the redirect carries only these words, never text to echo). */
const DONE_TEXT = { subscribed: 'Subscribed to', unsubscribed: 'Ended the subscription to' } as const;
type Done = keyof typeof DONE_TEXT;

function frequencyOf(text: string | undefined): ReportFrequency {
  const value = text?.trim() ?? '';
  if (!isReportFrequency(value)) throw new InvalidRequestError('frequency', `frequency must be one of ${REPORT_FREQUENCIES.join(', ')}`);
  return value;
}

/** The optional address: empty is none; anything else must look like one address. */
function emailOf(text: string | undefined): string | null {
  const value = text?.trim() ?? '';
  if (value === '') return null;
  if (value.length > REPORT_EMAIL.maxLength || !REPORT_EMAIL.pattern.test(value)) throw new InvalidRequestError('email', 'email must be one e-mail address, or empty for none');
  return value;
}

function doneHref(done: Done, msn: string, frequency: ReportFrequency): string {
  return `/portal/reports?${new URLSearchParams({ done, msn, frequency }).toString()}`;
}

/**
 * GET /portal/reports (accountants, admins): per sales unit its transaction-report subscriptions (daily or monthly,
 * optionally e-mailed) and every report generated, each as CSV and XLSX with its e-mail's delivery; POST
 * …/{msn}/subscriptions subscribes (or changes the address), …/subscriptions/{frequency}/end unsubscribes; GET
 * …/{msn}/{id}.{csv|xlsx} downloads a report of the user's own sales unit (another's is 404 like a missing one).
 */
export function reportsPage(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { done?: string; msn?: string; frequency?: string } }>('/portal/reports', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageReports');
    const units = await Promise.all(
      user.scope.units.map(async (unit) => {
        const [subscriptions, reports] = await Promise.all([reportSubscriptionsOf(ctx, unit.msn), transactionReportsOf(ctx, unit.msn)]);
        return {
          msn: unit.msn,
          name: unit.name,
          subscribeAction: `/portal/reports/${unit.msn}/subscriptions`,
          subscriptions: subscriptions.map((s) => ({
            frequency: s.frequency,
            email: s.email,
            startsOn: s.startsOn,
            endAction: `/portal/reports/${unit.msn}/subscriptions/${s.frequency}/end`,
          })),
          reports: reports.map((r) => ({
            id: r.id,
            frequency: r.frequency,
            period: r.periodFrom === r.periodTo ? r.periodFrom : `${r.periodFrom} – ${r.periodTo}`,
            generated: utcSecondText(r.generatedAtMs),
            operations: r.operationCount,
            mail: r.mail === null ? null : { to: r.mail.to, text: MAIL_TEXT[r.mail.state], tone: MAIL_TONE[r.mail.state], attempts: r.mail.attempts },
            csv: `/portal/reports/${unit.msn}/${r.id}.csv`,
            xlsx: `/portal/reports/${unit.msn}/${r.id}.xlsx`,
          })),
        };
      }),
    );
    const { done, msn, frequency } = request.query;
    const flash =
      done !== undefined && Object.hasOwn(DONE_TEXT, done) && frequency !== undefined && isReportFrequency(frequency) && user.scope.msns.includes(msn ?? '')
        ? `${DONE_TEXT[done as Done]} ${frequency} reports of sales unit ${msn}.`
        : null;
    return sendPortalPage(reply, user, {
      template: 'reports',
      current: 'reports',
      title: 'Transaction reports',
      data: { units, flash, frequencies: REPORT_FREQUENCIES, smtp: ctx.config.smtpUrl !== null },
    });
  });

  app.post<{ Params: { msn: string }; Body: { frequency?: string; email?: string } }>('/portal/reports/:msn/subscriptions', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageReports');
    const unit = ownUnit(user.scope, request.params.msn);
    const frequency = frequencyOf(request.body?.frequency);
    await subscribeToReports(ctx, unit.msn, { frequency, email: emailOf(request.body?.email) });
    return reply.redirect(doneHref('subscribed', unit.msn, frequency), 303);
  });

  app.post<{ Params: { msn: string; frequency: string } }>('/portal/reports/:msn/subscriptions/:frequency/end', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageReports');
    const unit = ownUnit(user.scope, request.params.msn);
    const frequency = frequencyOf(request.params.frequency);
    await unsubscribeFromReports(ctx, unit.msn, frequency);
    return reply.redirect(doneHref('unsubscribed', unit.msn, frequency), 303);
  });

  app.get<{ Params: { msn: string; reportFile: string } }>('/portal/reports/:msn/:reportFile', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageReports');
    const unit = ownUnit(user.scope, request.params.msn);
    if (!REPORT_FILE.test(request.params.reportFile)) throw new NotFoundError(`no report file ${request.params.reportFile}`);
    reply.header('cache-control', 'no-store');
    return sendTransactionReportFile(ctx, reply, unit.msn, request.params.reportFile);
  });
}
