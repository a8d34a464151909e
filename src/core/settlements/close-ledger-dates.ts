import { osloDateOf } from '../../domain/bank-calendar.ts';
import type { LedgerLine } from '../../domain/ledger.ts';
import { closingEntriesOfDay } from '../../domain/report-entries.ts';
import { closeTimeMs, endsPayoutPeriod, isLastDayOfMonth, nextDate, payoutOre, payoutTimeline } from '../../domain/settlement.ts';
import { isUniqueViolation } from '../../store/dialect.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import { appendSettlementEntry } from '../../store/repos/ledger.ts';
import {
  bookingTotals,
  firstClosedDate,
  insertBookingReportEntries,
  insertLedgerDateClose,
  insertReportEntries,
  insertSettlement,
  lastReportBalance,
  lastSettlement,
  salesUnitsWithLastClose,
} from '../../store/repos/settlements.ts';
import type { AppContext, Tx } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Closes every ledger date whose close time (06:00 Oslo the next day) has passed, oldest first, one transaction per
 * sales unit and date. Returns how many it closed. Several nodes may run it: the closed date's primary key lets
 * exactly one close it, and the others' transactions roll back.
 */
export async function closeDueLedgerDates(ctx: AppContext): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  let closed = 0;
  for (const unit of await salesUnitsWithLastClose(ctx.store.db)) {
    let date = unit.last_closed ? nextDate(unit.last_closed) : osloDateOf(unit.created_at_ms);
    for (; closeTimeMs(date) <= nowMs; date = nextDate(date)) {
      try {
        await inTransaction(ctx, (tx) => closeLedgerDate(tx, unit.msn, date));
        closed++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }
  return closed;
}

/** One sales unit's ledger date: its report entries and, at the end of a payout period with a positive balance, a settlement. */
async function closeLedgerDate(tx: Tx, msn: string, ledgerDate: string): Promise<void> {
  const { trx, nowMs } = tx;
  await insertLedgerDateClose(trx, msn, ledgerDate, nowMs);
  const unit = await findSalesUnit(trx, msn);
  if (!unit) throw new Error(`sales unit ${msn} vanished`);
  const closedAtMs = closeTimeMs(ledgerDate);
  const payout = endsPayoutPeriod(ledgerDate, unit.payout_frequency) ? await settle(tx, msn, ledgerDate, unit.settlement_type, closedAtMs) : null;
  // The bookings' own entries, set-based; the fees topic's growth over the day is the day's capture fees.
  const feesBeforeOre = await lastReportBalance(trx, msn, 'fees');
  const fundsBalanceOre = await insertBookingReportEntries(trx, { msn, ledgerDate, topic: 'funds', startBalanceOre: await lastReportBalance(trx, msn, 'funds') });
  const feesBalanceOre = await insertBookingReportEntries(trx, { msn, ledgerDate, topic: 'fees', startBalanceOre: feesBeforeOre });
  const entries = closingEntriesOfDay({
    msn,
    ledgerDate,
    closedAtMs,
    settlementType: unit.settlement_type,
    fundsBalanceOre,
    feesBalanceOre,
    dayFeesOre: feesBalanceOre - feesBeforeOre,
    lastDayOfMonth: isLastDayOfMonth(ledgerDate),
    payout,
  });
  await insertReportEntries(
    trx,
    entries.map((e) => ({
      msn,
      topic: e.topic,
      ledger_date: ledgerDate,
      entry_type: e.entryType,
      amount_ore: e.amountOre,
      balance_before_ore: e.balanceBeforeOre,
      balance_after_ore: e.balanceAfterOre,
      operation_id: e.operationId,
      psp_reference: e.pspReference,
      reference: e.reference,
      occurred_at_ms: e.occurredAtMs,
      settlement_id: e.settlementId,
    })),
  );
}

/**
 * The settlement of the ledger dates since the last one up to `ledgerDate`, when what they owe the merchant is
 * positive; otherwise nothing, and those dates carry forward into the next period. Its ledger entry moves the
 * merchant's payable into fees (net) and into the payout in transit.
 */
async function settle(tx: Tx, msn: string, ledgerDate: string, type: 'net' | 'gross', closedAtMs: number) {
  const { trx, nowMs } = tx;
  const previous = await lastSettlement(trx, msn);
  const fromDate = previous ? nextDate(previous.ledger_date_to) : ((await firstClosedDate(trx, msn)) ?? ledgerDate);
  const totals = await bookingTotals(trx, msn, fromDate, ledgerDate);
  const amountOre = payoutOre(totals, type);
  if (amountOre <= 0) return null;
  const timeline = payoutTimeline(ledgerDate);
  const retainedFeesOre = type === 'net' ? totals.feesOre : 0;
  const settlementId = await insertSettlement(trx, {
    msn,
    ledger_date_from: fromDate,
    ledger_date_to: ledgerDate,
    settlement_type: type,
    captures_ore: totals.capturesOre,
    refunds_ore: totals.refundsOre,
    fees_ore: totals.feesOre,
    payout_ore: amountOre,
    computed_at_ms: closedAtMs,
    payout_at_ms: timeline.payoutAtMs,
    bank_booked_at_ms: timeline.bankBookedAtMs,
  });
  const lines: LedgerLine[] = [
    { account: 'merchant_payable', amountOre: -(amountOre + retainedFeesOre) },
    { account: 'settlement_in_transit', amountOre },
  ];
  if (retainedFeesOre > 0) lines.push({ account: 'fees', amountOre: retainedFeesOre });
  await appendSettlementEntry(trx, { settlementId, msn, nowMs, lines });
  return { settlementId, amountOre };
}
