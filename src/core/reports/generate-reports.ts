import { nextDate } from '../../domain/settlement.ts';
import { nextReportPeriod, reportDueAtMs, reportPeriodOf, reportPeriodSpanMs, type ReportFrequency, type ReportPeriod } from '../../domain/report-periods.ts';
import { isUniqueViolation } from '../../store/dialect.ts';
import { insertReportMail, insertTransactionReport, operationSpan, subscriptionsWithLastReport } from '../../store/repos/transaction-reports.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/** A report e-mail is tried this often (exponential backoff between tries) before it is given up as dead. */
const REPORT_MAIL_MAX_ATTEMPTS = 5;

/**
 * Generates every transaction report that fell due: for each subscription, each period from the one it was made in
 * (or the one after the last reported) whose last day closed (06:00 Oslo the day after). One transaction per report,
 * which also writes its e-mail when the subscription has an address and SMTP is configured (the outbox pattern: the
 * report and its delivery commit together). The unique (MSN, frequency, period) lets exactly one node write each.
 */
export async function generateDueTransactionReports(ctx: AppContext): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  let generated = 0;
  for (const subscription of await subscriptionsWithLastReport(ctx.store.db)) {
    for (let period = firstUnreportedPeriod(subscription); reportDueAtMs(period) <= nowMs; period = nextReportPeriod(period, subscription.frequency)) {
      try {
        await inTransaction(ctx, async ({ trx, nowMs: generatedAtMs }) => {
          const { fromMs, untilMs } = reportPeriodSpanMs(period);
          const span = await operationSpan(trx, subscription.msn, fromMs, untilMs);
          const reportId = await insertTransactionReport(trx, {
            msn: subscription.msn,
            frequency: subscription.frequency,
            period_from: period.from,
            period_to: period.to,
            generated_at_ms: generatedAtMs,
            operation_count: span.count,
            last_operation_id: span.lastOperationId,
          });
          if (subscription.email !== null && ctx.config.smtpUrl !== null) {
            await insertReportMail(trx, {
              msn: subscription.msn,
              report_id: reportId,
              to_address: subscription.email,
              state: 'pending',
              attempts: 0,
              max_attempts: REPORT_MAIL_MAX_ATTEMPTS,
              next_attempt_at_ms: generatedAtMs,
              created_at_ms: generatedAtMs,
              updated_at_ms: generatedAtMs,
            });
          }
        });
        generated++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }
  return generated;
}

/** The subscription's first period, or the one after the last reported if that is later (a renewed subscription). */
function firstUnreportedPeriod(subscription: { starts_on: string; frequency: ReportFrequency; last_reported: string | null }): ReportPeriod {
  const first = reportPeriodOf(subscription.starts_on, subscription.frequency);
  const last = subscription.last_reported;
  return last !== null && last >= first.from ? reportPeriodOf(nextDate(last), subscription.frequency) : first;
}
