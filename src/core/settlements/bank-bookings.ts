import { isUniqueViolation } from '../../store/dialect.ts';
import { appendSettlementEntry } from '../../store/repos/ledger.ts';
import { insertSettlementBankBooking, settlementsDueForBankBooking } from '../../store/repos/settlements.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';

const BATCH = 200;

/**
 * Day 5: the merchant's bank books the payouts that fell due, moving each from in transit to the merchant's bank
 * account. One row per settlement lets exactly one node book it.
 */
export async function bookDuePayouts(ctx: AppContext): Promise<number> {
  let booked = 0;
  for (;;) {
    const due = await settlementsDueForBankBooking(ctx.store.db, ctx.clock.nowMs(), BATCH);
    if (due.length === 0) return booked;
    for (const settlement of due) {
      try {
        await inTransaction(ctx, async ({ trx, nowMs }) => {
          await insertSettlementBankBooking(trx, settlement.id, settlement.msn, Number(settlement.bank_booked_at_ms));
          const amountOre = Number(settlement.payout_ore);
          await appendSettlementEntry(trx, {
            settlementId: settlement.id,
            msn: settlement.msn,
            nowMs,
            lines: [
              { account: 'settlement_in_transit', amountOre: -amountOre },
              { account: 'merchant_bank', amountOre },
            ],
          });
        });
        booked++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    if (due.length < BATCH) return booked;
  }
}
