import { assert } from './assert.ts';
import { addBankDays, osloDateOf, type IsoDate } from './bank-calendar.ts';
import { HOUR_MS } from './clock.ts';

/**
 * The settlement timeline (README, "Settlements"), in Oslo time:
 * - day 1: a capture or refund is booked for its ledger date (Oslo midnight to midnight);
 * - day 2: the ledger date closes at 06:00 on the next calendar day (weekends and holidays included): its report
 *   entries are written and, at the end of a payout period with a positive balance, the settlement and its files;
 * - day 3: the payout leaves at 16:00 on the 2nd bank day after the ledger date (Mon → Wed, Fri/Sat/Sun → Tue);
 * - day 5: the bank books it at 09:00 two bank days after the payout.
 */
export const CLOSE_HOUR = 6;
export const PAYOUT_HOUR = 16;
export const BANK_BOOKING_HOUR = 9;

export type PayoutFrequency = 'daily' | 'weekly' | 'monthly';
export type SettlementType = 'net' | 'gross';

export function nextDate(date: IsoDate, days = 1): IsoDate {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 24 * HOUR_MS).toISOString().slice(0, 10);
}

/** The instant it is `hour`:00 in Oslo on `date` (CET or CEST). */
export function osloInstantMs(date: IsoDate, hour: number): number {
  const hh = String(hour).padStart(2, '0');
  for (const offsetHours of [1, 2]) {
    const candidate = Date.parse(`${date}T${hh}:00:00Z`) - offsetHours * HOUR_MS;
    if (osloDateOf(candidate) === date && osloHour(candidate) === hour) return candidate;
  }
  throw new Error(`no ${hh}:00 in Oslo on ${date}`);
}

const osloHourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', hourCycle: 'h23' });
function osloHour(epochMs: number): number {
  return Number(osloHourFormat.format(new Date(epochMs)));
}

/** When a ledger date closes. */
export function closeTimeMs(ledgerDate: IsoDate): number {
  return osloInstantMs(nextDate(ledgerDate), CLOSE_HOUR);
}

/** The payout of a settlement whose last ledger date is `ledgerDate`, and when the merchant's bank books it. */
export function payoutTimeline(ledgerDate: IsoDate): { payoutDate: IsoDate; payoutAtMs: number; bankBookedDate: IsoDate; bankBookedAtMs: number } {
  const payoutDate = addBankDays(ledgerDate, 2);
  const bankBookedDate = addBankDays(payoutDate, 2);
  return { payoutDate, payoutAtMs: osloInstantMs(payoutDate, PAYOUT_HOUR), bankBookedDate, bankBookedAtMs: osloInstantMs(bankBookedDate, BANK_BOOKING_HOUR) };
}

/** Whether a payout period ends with `ledgerDate`: every day, on Sundays (paid from Monday), or on a month's last day. */
export function endsPayoutPeriod(ledgerDate: IsoDate, frequency: PayoutFrequency): boolean {
  switch (frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return new Date(`${ledgerDate}T12:00:00Z`).getUTCDay() === 0;
    case 'monthly':
      return nextDate(ledgerDate).endsWith('-01');
  }
}

export function isLastDayOfMonth(ledgerDate: IsoDate): boolean {
  return nextDate(ledgerDate).endsWith('-01');
}

/** The fee of one capture: basis points of the amount, rounded half up to the øre, plus the fixed part. */
export function captureFeeOre(amountOre: number, basisPoints: number, fixedOre: number): number {
  assert(Number.isSafeInteger(amountOre) && amountOre > 0, 'a capture is a positive amount');
  return Math.floor((amountOre * basisPoints + 5_000) / 10_000) + fixedOre;
}

export interface PeriodTotals {
  capturesOre: number;
  refundsOre: number;
  feesOre: number;
}

/** What the merchant is paid for a period: captures − refunds, less fees when they are retained (net). */
export function payoutOre(totals: PeriodTotals, type: SettlementType): number {
  return totals.capturesOre - totals.refundsOre - (type === 'net' ? totals.feesOre : 0);
}
