import type { Insertable } from 'kysely';
import type { ReportFrequency } from '../../domain/report-periods.ts';
import type { Executor } from '../db.ts';
import { finishLeasedAttempt } from './leased-rows.ts';
import type { OutboxState, ReportMailRow, ReportMailTable, ReportSubscriptionTable, TransactionReportTable } from '../schema.ts';

/** Transaction reports: subscriptions, the generated reports (insert-only), and their e-mails with every attempt. */

/** Subscribe, or change the address of a subscription that exists (its first period stays). */
export async function upsertReportSubscription(db: Executor, row: Insertable<ReportSubscriptionTable>): Promise<void> {
  await db
    .insertInto('report_subscription')
    .values(row)
    .onConflict((oc) => oc.columns(['msn', 'frequency']).doUpdateSet({ email: row.email ?? null, updated_at_ms: row.updated_at_ms }))
    .execute();
}

export async function deleteReportSubscription(db: Executor, msn: string, frequency: ReportFrequency): Promise<boolean> {
  const result = await db.deleteFrom('report_subscription').where('msn', '=', msn).where('frequency', '=', frequency).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listReportSubscriptions(db: Executor, msn: string) {
  return db.selectFrom('report_subscription').selectAll().where('msn', '=', msn).orderBy('frequency').execute();
}

/** Every subscription with the end of the last period reported at its frequency (null: none yet), in one query. */
export async function subscriptionsWithLastReport(db: Executor) {
  return db
    .selectFrom('report_subscription')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('transaction_report')
          .select(['msn', 'frequency', (e) => e.fn.max('period_to').as('last_reported')])
          .groupBy(['msn', 'frequency'])
          .as('r'),
      (join) => join.onRef('r.msn', '=', 'report_subscription.msn').onRef('r.frequency', '=', 'report_subscription.frequency'),
    )
    .selectAll('report_subscription')
    .select('r.last_reported')
    .orderBy('report_subscription.msn')
    .orderBy('report_subscription.frequency')
    .execute();
}

/** How many operations a sales unit recorded in [fromMs, untilMs), and the last of them. */
export async function operationSpan(db: Executor, msn: string, fromMs: number, untilMs: number) {
  const row = await db
    .selectFrom('payment_operation')
    .select([(eb) => eb.fn.countAll<string | number>().as('n'), (eb) => eb.fn.max('id').as('last_id')])
    .where('msn', '=', msn)
    .where('created_at_ms', '>=', fromMs)
    .where('created_at_ms', '<', untilMs)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), lastOperationId: row.last_id === null ? null : Number(row.last_id) };
}

/** The operations a report shows: the sales unit's in [fromMs, untilMs) up to its last one, with each payment's orderId. */
export async function reportOperations(db: Executor, args: { msn: string; fromMs: number; untilMs: number; lastOperationId: number }) {
  return db
    .selectFrom('payment_operation')
    .innerJoin('payment', 'payment.id', 'payment_operation.payment_id')
    .select(['payment_operation.id', 'payment_operation.kind', 'payment_operation.amount_ore', 'payment_operation.created_at_ms', 'payment.order_id'])
    .where('payment_operation.msn', '=', args.msn)
    .where('payment_operation.created_at_ms', '>=', args.fromMs)
    .where('payment_operation.created_at_ms', '<', args.untilMs)
    .where('payment_operation.id', '<=', args.lastOperationId)
    .orderBy('payment_operation.id')
    .execute();
}

export async function insertTransactionReport(db: Executor, row: Insertable<TransactionReportTable>): Promise<number> {
  const { id } = await db.insertInto('transaction_report').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(id);
}

/** A sales unit's reports with their e-mail's address and state (null without one), newest period first. */
function reportsOfUnit(db: Executor, msn: string) {
  return db
    .selectFrom('transaction_report')
    .leftJoin('report_mail', 'report_mail.report_id', 'transaction_report.id')
    .selectAll('transaction_report')
    .select(['report_mail.to_address as mail_to', 'report_mail.state as mail_state', 'report_mail.attempts as mail_attempts'])
    .where('transaction_report.msn', '=', msn);
}

export async function listTransactionReports(db: Executor, msn: string) {
  return reportsOfUnit(db, msn).orderBy('transaction_report.period_from', 'desc').orderBy('transaction_report.frequency').execute();
}

export async function findTransactionReport(db: Executor, msn: string, reportId: number) {
  return reportsOfUnit(db, msn).where('transaction_report.id', '=', reportId).executeTakeFirst();
}

export async function insertReportMail(db: Executor, row: Insertable<ReportMailTable>): Promise<void> {
  await db.insertInto('report_mail').values(row).execute();
}

/**
 * Record one attempt at a report e-mail and the row's next state, guarded by the lease as a callback's is
 * (leased-rows.ts): a worker whose lease lapsed records nothing.
 */
export async function recordReportMailAttempt(
  db: Executor,
  args: {
    row: ReportMailRow;
    owner: string;
    startedAtMs: number;
    latencyMs: number;
    smtpResponse: string | null;
    error: string | null;
    nextState: OutboxState;
    nextAttemptAtMs: number;
    nowMs: number;
  },
): Promise<boolean> {
  const attemptNo = await finishLeasedAttempt(db, 'report_mail', args);
  if (attemptNo === null) return false;
  await db
    .insertInto('report_mail_attempt')
    .values({
      mail_id: args.row.id,
      msn: args.row.msn,
      attempt_no: attemptNo,
      started_at_ms: args.startedAtMs,
      latency_ms: Math.round(args.latencyMs),
      smtp_response: args.smtpResponse,
      error: args.error,
    })
    .execute();
  return true;
}
