import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { transactionReportCsv } from '../channels/report/files/transaction-report-csv.ts';
import { transactionReportFileName, transactionReportXlsx } from '../channels/report/files/transaction-report-xlsx.ts';
import type { AppContext } from '../core/context.ts';
import { requireTransactionReportDocument } from '../core/reports/transaction-reports.ts';
import { inTransaction } from '../core/transaction.ts';
import { claimDueReportMails } from '../store/dialect.ts';
import { recordReportMailAttempt } from '../store/repos/transaction-reports.ts';
import type { ReportMailRow } from '../store/schema.ts';
import { retryDelayMs } from './outbound-dispatcher.ts';

const CLAIM_BATCH = 20;
/** Longer than an SMTP exchange may take (the timeouts below), so a live worker never loses its row to another. */
const LEASE_MS = 120_000;
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * E-mails generated transaction reports through SMTP_URL (nodemailer), like callbacks are delivered: claim due rows
 * with a lease, send each once, record the attempt and the row's next state guarded by the lease. A row ends
 * `delivered` when the server accepted the message, `dead` after REPORT_MAIL_MAX_ATTEMPTS tries (exponential backoff
 * between them). Without SMTP_URL no mail rows are written, and this does nothing.
 */
export class ReportMailer {
  readonly owner = `report-mailer-${randomUUID()}`;
  #transport: Transporter | null = null;

  constructor(private readonly ctx: AppContext) {}

  /** Send every report e-mail due now; returns the number of attempts made. */
  async runDue(): Promise<number> {
    const smtpUrl = this.ctx.config.smtpUrl;
    if (smtpUrl === null) return 0;
    this.#transport ??= nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
    let attempts = 0;
    for (;;) {
      // On SQLite the claim joins a group-commit batch and shares its fsync (bench/README.md).
      const rows = await this.ctx.store.atomicWrite((db) => claimDueReportMails(db, this.ctx.store.kind, {
        owner: this.owner,
        nowMs: this.ctx.clock.nowMs(),
        leaseNowMs: this.ctx.clock.leaseNowMs?.(),
        leaseMs: LEASE_MS,
        limit: CLAIM_BATCH,
      }));
      for (const row of rows) await this.attempt(this.#transport, row);
      attempts += rows.length;
      if (rows.length < CLAIM_BATCH) return attempts;
    }
  }

  private async attempt(transport: Transporter, row: ReportMailRow): Promise<void> {
    const startedAtMs = this.ctx.clock.nowMs();
    const started = performance.now();
    let smtpResponse: string | null = null;
    let error: string | null = null;
    try {
      const info = (await transport.sendMail(await this.message(row))) as { response?: string };
      smtpResponse = info.response ?? null;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const attemptsMade = row.attempts + 1;
    const delivered = error === null;
    const exhausted = attemptsMade >= row.max_attempts;
    await inTransaction(this.ctx, async ({ trx, nowMs }) => {
      await recordReportMailAttempt(trx, {
        row,
        owner: this.owner,
        startedAtMs,
        latencyMs: performance.now() - started,
        smtpResponse,
        error,
        nextState: delivered ? 'delivered' : exhausted ? 'dead' : 'pending',
        nextAttemptAtMs: delivered || exhausted ? row.next_attempt_at_ms : nowMs + retryDelayMs(attemptsMade),
        nowMs,
      });
    });
  }

  private async message(row: ReportMailRow) {
    const doc = await requireTransactionReportDocument(this.ctx, row.msn, Number(row.report_id));
    const { report } = doc;
    const period = report.periodFrom === report.periodTo ? report.periodFrom : `${report.periodFrom} – ${report.periodTo}`;
    return {
      from: this.ctx.config.reportMailFrom,
      to: row.to_address,
      subject: `Transaction report ${doc.salesUnitName} (${report.msn}), ${period}`,
      text: `The ${report.frequency} transaction report of sales unit ${doc.salesUnitName} (${report.msn}) for ${period}: ${report.operationCount} payment operations, attached as CSV and XLSX.`,
      attachments: [
        { filename: transactionReportFileName(doc, 'csv'), content: transactionReportCsv(doc), contentType: 'text/csv; charset=utf-8' },
        {
          filename: transactionReportFileName(doc, 'xlsx'),
          content: await transactionReportXlsx(doc),
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      ],
    };
  }
}
