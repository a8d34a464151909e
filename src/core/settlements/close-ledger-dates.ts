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
  insertLedgerDateCloses,
  insertReportEntries,
  insertSettlement,
  lastReportBalance,
  lastSettlement,
  ledgerDatesWithBookings,
  salesUnitsWithLastClose,
} from '../../store/repos/settlements.ts';
import type { AppContext, Tx } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/**
 * At most this many dates of one sales unit close in one transaction: a year of time travel is 12 commits per unit
 * instead of 366, and one transaction still holds the writer for only milliseconds.
 */
const DATES_PER_TRANSACTION = 31;
/** Sales units closed side by side: on SQLite their transactions share group commits; on PostgreSQL this many connections. */
const UNITS_AT_ONCE = 4;

/**
 * Closes every ledger date whose close time (06:00 Oslo the next day) has passed, oldest first within each sales
 * unit, in transactions of up to DATES_PER_TRANSACTION dates of one unit. Returns how many it closed. Several nodes
 * may run it: the closed date's primary key lets exactly one close it, the others' transactions roll back, and a
 * node that lost a date to another leaves that unit to it for this pass.
 */
export async function closeDueLedgerDates(ctx: AppContext): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  const units = await salesUnitsWithLastClose(ctx.store.db);
  let next = 0;
  let closed = 0;
  const worker = async () => {
    for (let unit = units[next++]; unit !== undefined; unit = units[next++]) {
      const closedOfUnit = await closeDueDatesOfUnit(ctx, unit, nowMs);
      closed += closedOfUnit; // not `closed += await …`: that reads `closed` before the other workers' additions
    }
  };
  // Every worker ends before the pass does, even when one failed: no transaction of this pass outlives it.
  const ended = await Promise.allSettled(Array.from({ length: Math.min(UNITS_AT_ONCE, units.length) }, worker));
  for (const end of ended) if (end.status === 'rejected') throw end.reason;
  return closed;
}

type UnitWithLastClose = Awaited<ReturnType<typeof salesUnitsWithLastClose>>[number];

async function closeDueDatesOfUnit(ctx: AppContext, unit: UnitWithLastClose, nowMs: number): Promise<number> {
  const due: string[] = [];
  for (let date = unit.last_closed ? nextDate(unit.last_closed) : osloDateOf(unit.created_at_ms); closeTimeMs(date) <= nowMs; date = nextDate(date)) due.push(date);
  for (let from = 0; from < due.length; from += DATES_PER_TRANSACTION) {
    const dates = due.slice(from, from + DATES_PER_TRANSACTION);
    try {
      await inTransaction(ctx, (tx) => closeLedgerDates(tx, unit.msn, dates));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return from;
    }
  }
  return due.length;
}

/**
 * Consecutive ledger dates of one sales unit, oldest first: each gets its report entries and, at the end of a payout
 * period with a positive balance, a settlement. The topics' balances carry from date to date in the transaction, and
 * only dates that have bookings run the bookings' INSERT…SELECTs, so a quiet date costs its close row and nothing more.
 */
async function closeLedgerDates(tx: Tx, msn: string, ledgerDates: readonly string[]): Promise<void> {
  const { trx, nowMs } = tx;
  await insertLedgerDateCloses(trx, msn, ledgerDates, nowMs);
  const unit = await findSalesUnit(trx, msn);
  if (!unit) throw new Error(`sales unit ${msn} vanished`);
  const booked = await ledgerDatesWithBookings(trx, msn, ledgerDates[0]!, ledgerDates[ledgerDates.length - 1]!);
  let fundsBalanceOre = await lastReportBalance(trx, msn, 'funds');
  let feesBalanceOre = await lastReportBalance(trx, msn, 'fees');
  for (const ledgerDate of ledgerDates) {
    const closedAtMs = closeTimeMs(ledgerDate);
    const payout = endsPayoutPeriod(ledgerDate, unit.payout_frequency) ? await settle(tx, msn, ledgerDate, unit.settlement_type, closedAtMs) : null;
    // The bookings' own entries, set-based; the fees topic's growth over the day is the day's capture fees.
    const feesBeforeOre = feesBalanceOre;
    if (booked.has(ledgerDate)) {
      fundsBalanceOre = await insertBookingReportEntries(trx, { msn, ledgerDate, topic: 'funds', startBalanceOre: fundsBalanceOre });
      feesBalanceOre = await insertBookingReportEntries(trx, { msn, ledgerDate, topic: 'fees', startBalanceOre: feesBalanceOre });
    }
    const day = closingEntriesOfDay({
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
      day.entries.map((e) => ({
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
    fundsBalanceOre = day.fundsBalanceOre;
    feesBalanceOre = day.feesBalanceOre;
  }
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
