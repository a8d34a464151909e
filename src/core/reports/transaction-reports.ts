import { osloDateOf } from '../../domain/bank-calendar.ts';
import { LOG_OPERATION, STATUS_OF_KIND, operationSucceeded } from '../../domain/payment-states.ts';
import { reportPeriodOf, reportPeriodSpanMs, type ReportFrequency } from '../../domain/report-periods.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import {
  deleteReportSubscription,
  findTransactionReport,
  listReportSubscriptions,
  listTransactionReports,
  reportOperations,
  upsertReportSubscription,
} from '../../store/repos/transaction-reports.ts';
import type { OutboxState } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../merchants/sales-units.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Transaction reports as a sales unit sees them: its subscriptions (daily or monthly, each with an optional e-mail
 * address) and the reports generated for it. Every use case takes the caller's MSN: another sales unit's report is
 * not found, exactly like one that does not exist.
 */
export interface ReportSubscriptionView {
  frequency: ReportFrequency;
  email: string | null;
  /** The first day of the first period reported. */
  startsOn: string;
  createdAtMs: number;
}

export interface TransactionReportView {
  id: number;
  msn: string;
  frequency: ReportFrequency;
  periodFrom: string;
  periodTo: string;
  generatedAtMs: number;
  operationCount: number;
  /** The e-mail of the report, when its subscription had an address and SMTP was configured. */
  mail: { to: string; state: OutboxState; attempts: number } | null;
}

/** The address a report may be e-mailed to: one plausible address (the SMTP server has the last word). */
export const REPORT_EMAIL = { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, maxLength: 254 } as const;

/** Subscribe a sales unit to reports of a frequency, or change the address of its subscription. */
export async function subscribeToReports(ctx: AppContext, msn: string, args: { frequency: ReportFrequency; email: string | null }): Promise<ReportSubscriptionView> {
  return inTransaction(ctx, async ({ trx, nowMs }) => {
    if (!(await findSalesUnit(trx, msn))) throw new NotFoundError(`sales unit ${msn} does not exist`);
    await upsertReportSubscription(trx, {
      msn,
      frequency: args.frequency,
      email: args.email,
      starts_on: reportPeriodOf(osloDateOf(nowMs), args.frequency).from,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    });
    const stored = (await listReportSubscriptions(trx, msn)).find((s) => s.frequency === args.frequency);
    if (!stored) throw new Error('the subscription just written is missing');
    return subscriptionViewOf(stored);
  });
}

/** End a subscription: no further reports; those generated stay. Returns whether there was one. */
export async function unsubscribeFromReports(ctx: AppContext, msn: string, frequency: ReportFrequency): Promise<boolean> {
  return inTransaction(ctx, ({ trx }) => deleteReportSubscription(trx, msn, frequency));
}

export async function reportSubscriptionsOf(ctx: AppContext, msn: string): Promise<ReportSubscriptionView[]> {
  return (await listReportSubscriptions(ctx.store.db, msn)).map(subscriptionViewOf);
}

/** The sales unit's reports, newest period first. */
export async function transactionReportsOf(ctx: AppContext, msn: string): Promise<TransactionReportView[]> {
  return (await listTransactionReports(ctx.store.db, msn)).map(reportViewOf);
}

/**
 * Everything a report's files show: the report, its sales unit, and each payment operation of the period in the order
 * recorded (up to the last one the report counted, so the files never change).
 */
async function transactionReportDocument(ctx: AppContext, msn: string, reportId: number) {
  const row = await findTransactionReport(ctx.store.db, msn, reportId);
  if (!row) return undefined;
  const report = reportViewOf(row);
  const unit = await findSalesUnit(ctx.store.db, msn);
  const operations =
    row.last_operation_id === null
      ? []
      : await reportOperations(ctx.store.db, {
          msn,
          ...reportPeriodSpanMs({ from: report.periodFrom, to: report.periodTo }),
          lastOperationId: Number(row.last_operation_id),
        });
  return {
    report,
    salesUnitName: unit?.name ?? msn,
    operations: operations.map((op) => ({
      operationId: Number(op.id),
      orderId: op.order_id,
      operation: LOG_OPERATION[op.kind],
      status: operationSucceeded(op.kind) ? STATUS_OF_KIND[op.kind] : 'FAILED',
      amountOre: Number(op.amount_ore),
      atMs: Number(op.created_at_ms),
    })),
  };
}

export type TransactionReportDocument = NonNullable<Awaited<ReturnType<typeof transactionReportDocument>>>;

/** The report a merchant asked for, or NotFoundError (another sales unit's report included). */
export async function requireTransactionReportDocument(ctx: AppContext, msn: string, reportId: number): Promise<TransactionReportDocument> {
  const doc = await transactionReportDocument(ctx, msn, reportId);
  if (!doc) throw new NotFoundError(`report ${reportId} does not exist`);
  return doc;
}

function subscriptionViewOf(row: Awaited<ReturnType<typeof listReportSubscriptions>>[number]): ReportSubscriptionView {
  return { frequency: row.frequency, email: row.email, startsOn: row.starts_on, createdAtMs: Number(row.created_at_ms) };
}

function reportViewOf(row: NonNullable<Awaited<ReturnType<typeof findTransactionReport>>>): TransactionReportView {
  return {
    id: Number(row.id),
    msn: row.msn,
    frequency: row.frequency,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    generatedAtMs: Number(row.generated_at_ms),
    operationCount: Number(row.operation_count),
    mail: row.mail_to === null || row.mail_state === null ? null : { to: row.mail_to, state: row.mail_state, attempts: Number(row.mail_attempts) },
  };
}
