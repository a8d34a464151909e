import { assert } from './assert.ts';
import { DAY_MS } from './clock.ts';

/**
 * Norwegian bank days: Monday to Friday, except public holidays and the two bank holidays (Christmas Eve and
 * New Year's Eve). Days are calendar dates in Europe/Oslo. Computed here (Easter by the anonymous Gregorian
 * algorithm) so the domain needs no library and no clock.
 */

/** A calendar date as `YYYY-MM-DD`. */
export type IsoDate = string;

function isoDate(year: number, month: number, day: number): IsoDate {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addDays(date: IsoDate, days: number): IsoDate {
  const t = Date.parse(`${date}T12:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

const holidayCache = new Map<number, Set<IsoDate>>();

/** Public holidays plus the bank holidays 24 and 31 December. */
export function bankHolidays(year: number): Set<IsoDate> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const easter = easterSunday(year);
  const holidays = new Set<IsoDate>([
    isoDate(year, 1, 1), // Nyttårsdag
    addDays(easter, -3), // Skjærtorsdag
    addDays(easter, -2), // Langfredag
    easter, // 1. påskedag
    addDays(easter, 1), // 2. påskedag
    isoDate(year, 5, 1), // Arbeidernes dag
    isoDate(year, 5, 17), // Grunnlovsdag
    addDays(easter, 39), // Kristi himmelfartsdag
    addDays(easter, 49), // 1. pinsedag
    addDays(easter, 50), // 2. pinsedag
    isoDate(year, 12, 24), // Julaften (bank holiday)
    isoDate(year, 12, 25), // 1. juledag
    isoDate(year, 12, 26), // 2. juledag
    isoDate(year, 12, 31), // Nyttårsaften (bank holiday)
  ]);
  holidayCache.set(year, holidays);
  return holidays;
}

export function isBankDay(date: IsoDate): boolean {
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !bankHolidays(Number(date.slice(0, 4))).has(date);
}

const osloDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });

function formatOsloDate(epochMs: number): IsoDate {
  return osloDate.format(new Date(epochMs));
}

/**
 * The last Oslo date looked up and the instants it spans [startMs, endMs). Formatting through Intl costs microseconds
 * and a payment's operations ask for the date of "now" several times, nearly always the same day's.
 */
let lastDay: { date: IsoDate; startMs: number; endMs: number } | null = null;

/** The Oslo calendar date of an instant. */
export function osloDateOf(epochMs: number): IsoDate {
  if (lastDay !== null && epochMs >= lastDay.startMs && epochMs < lastDay.endMs) return lastDay.date;
  const date = formatOsloDate(epochMs);
  lastDay = { date, startMs: osloMidnightMs(date), endMs: osloMidnightMs(addDays(date, 1)) };
  return date;
}

/** The instant Oslo midnight starts `date` (handles CET/CEST). */
export function osloMidnightMs(date: IsoDate): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // Oslo is UTC+1 or UTC+2; pick the offset whose local date is `date` at local midnight.
  for (const offsetHours of [1, 2]) {
    const candidate = utcMidnight - offsetHours * 3_600_000;
    if (formatOsloDate(candidate) === date && formatOsloDate(candidate - 1) !== date) return candidate;
  }
  return utcMidnight - 3_600_000;
}

/** The bank day `count` bank days after the Oslo date of `epochMs` (count ≥ 1). */
export function addBankDays(date: IsoDate, count: number): IsoDate {
  assert(Number.isInteger(count) && count >= 0 && count <= 3650, `bank day count out of range: ${count}`);
  let current = date;
  for (let remaining = count; remaining > 0; ) {
    current = addDays(current, 1);
    if (isBankDay(current)) remaining--;
  }
  return current;
}
