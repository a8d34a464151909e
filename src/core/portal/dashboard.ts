import { osloDateOf, osloMidnightMs, type IsoDate } from '../../domain/bank-calendar.ts';
import { nextDate } from '../../domain/settlement.ts';
import { operationsByHour, payoutsBetween } from '../../store/repos/portal.ts';
import type { AppContext } from '../context.ts';
import type { MerchantScope } from './scope.ts';

export interface DashboardDay {
  date: IsoDate;
  capturedOre: number;
  capturedCount: number;
  refundedOre: number;
  refundedCount: number;
  /** Reservations, sales and captures that failed. */
  failedOre: number;
  failedCount: number;
  payoutOre: number;
}

const CAPTURED = new Set(['capture', 'sale']);
const FAILED = new Set(['reserve_failed', 'sale_failed', 'capture_failed']);

/**
 * The last `days` Oslo days up to today, each with what was captured (captures and direct sales), refunded and
 * failed (count and amount), and what was paid out. Counted by the database per hour, folded into Oslo days here
 * (days change at midnight Oslo time, summer or winter).
 */
export async function dashboard(ctx: AppContext, scope: MerchantScope, days: number): Promise<{ days: DashboardDay[]; totals: Omit<DashboardDay, 'date'> }> {
  const today = osloDateOf(ctx.clock.nowMs());
  const dates: IsoDate[] = [today];
  while (dates.length < days) dates.unshift(nextDate(dates[0] ?? today, -1));
  const fromMs = osloMidnightMs(dates[0] ?? today);
  const toMs = osloMidnightMs(nextDate(today));
  const byDate = new Map<IsoDate, DashboardDay>(
    dates.map((date) => [date, { date, capturedOre: 0, capturedCount: 0, refundedOre: 0, refundedCount: 0, failedOre: 0, failedCount: 0, payoutOre: 0 }]),
  );
  const [operations, payouts] = await Promise.all([
    operationsByHour(ctx.store.db, { msns: scope.msns, fromMs, toMs }),
    payoutsBetween(ctx.store.db, { msns: scope.msns, fromMs, toMs }),
  ]);
  for (const op of operations) {
    const day = byDate.get(osloDateOf(op.hourStartMs));
    if (!day) continue;
    if (CAPTURED.has(op.kind)) {
      day.capturedOre += op.amountOre;
      day.capturedCount += op.count;
    } else if (op.kind === 'refund') {
      day.refundedOre += op.amountOre;
      day.refundedCount += op.count;
    } else if (FAILED.has(op.kind)) {
      day.failedOre += op.amountOre;
      day.failedCount += op.count;
    }
  }
  for (const payout of payouts) {
    const day = byDate.get(osloDateOf(payout.payoutAtMs));
    if (day) day.payoutOre += payout.payoutOre;
  }
  const list = [...byDate.values()];
  const totals = { capturedOre: 0, capturedCount: 0, refundedOre: 0, refundedCount: 0, failedOre: 0, failedCount: 0, payoutOre: 0 };
  for (const day of list) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += day[key];
  return { days: list, totals };
}
