import { closeTimeMs, isLastDayOfMonth, nextDate, osloInstantMs } from './settlement.ts';
import type { IsoDate } from './bank-calendar.ts';

/**
 * The periods of transaction reports: an Oslo day, or an Oslo calendar month. A period's report is generated when
 * its last day closes, at 06:00 Oslo the day after (the same moment its ledger date closes for settlement).
 */
export const REPORT_FREQUENCIES = ['daily', 'monthly'] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];

export function isReportFrequency(text: string): text is ReportFrequency {
  return (REPORT_FREQUENCIES as readonly string[]).includes(text);
}

export interface ReportPeriod {
  from: IsoDate;
  to: IsoDate;
}

/** The period of `frequency` that contains `date`. */
export function reportPeriodOf(date: IsoDate, frequency: ReportFrequency): ReportPeriod {
  if (frequency === 'daily') return { from: date, to: date };
  const from = `${date.slice(0, 8)}01`;
  return { from, to: lastDayOfMonth(from) };
}

export function nextReportPeriod(period: ReportPeriod, frequency: ReportFrequency): ReportPeriod {
  return reportPeriodOf(nextDate(period.to), frequency);
}

/** When the report of a period is generated. */
export function reportDueAtMs(period: ReportPeriod): number {
  return closeTimeMs(period.to);
}

/** The instants the period covers: from Oslo midnight starting its first day to Oslo midnight ending its last. */
export function reportPeriodSpanMs(period: ReportPeriod): { fromMs: number; untilMs: number } {
  return { fromMs: osloInstantMs(period.from, 0), untilMs: osloInstantMs(nextDate(period.to), 0) };
}

function lastDayOfMonth(firstOfMonth: IsoDate): IsoDate {
  let day = firstOfMonth;
  while (!isLastDayOfMonth(day)) day = nextDate(day);
  return day;
}
