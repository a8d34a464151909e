import type { AppContext } from '../core/context.ts';
import { bookDuePayouts } from '../core/settlements/bank-bookings.ts';
import { closeDueLedgerDates } from '../core/settlements/close-ledger-dates.ts';

/** The back office's pass: close the ledger dates that fell due (reports, settlements), then bank bookings of payouts. */
export async function runDueSettlementWork(ctx: AppContext): Promise<number> {
  const closed = await closeDueLedgerDates(ctx);
  const booked = await bookDuePayouts(ctx);
  return closed + booked;
}
