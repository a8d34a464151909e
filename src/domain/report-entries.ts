import type { SettlementType } from './settlement.ts';

/**
 * The Report API's entries of one closed ledger date, per topic, each moving its topic's balance
 * (balanceAfter = balanceBefore + amount). Funds: captures (+), refunds (−), the day's fees retained on net
 * settlement (−, one sum), and the payout scheduled when a settlement ends with this date (−). Fees: each capture's
 * fee (+), then on net the same day's sum retained (−), on gross the month's fees invoiced on its last day (−).
 *
 * The entries of the bookings themselves (captures, refunds, capture fees) are one per booking and are written by the
 * store set-based (`insertBookingReportEntries`); this module decides the entries that close the day.
 */
export type ReportEntryType = 'capture' | 'refund' | 'capture-fee' | 'fees-retained' | 'fees-invoiced' | 'scheduled-for-payout';

export interface DraftReportEntry {
  topic: 'funds' | 'fees';
  entryType: ReportEntryType;
  amountOre: number;
  balanceBeforeOre: number;
  balanceAfterOre: number;
  operationId: null;
  pspReference: string;
  reference: string;
  occurredAtMs: number;
  settlementId: number | null;
}

export interface DayClose {
  msn: string;
  ledgerDate: string;
  closedAtMs: number;
  settlementType: SettlementType;
  /** Each topic's balance after the day's booking entries. */
  fundsBalanceOre: number;
  feesBalanceOre: number;
  /** The capture fees booked on this date. */
  dayFeesOre: number;
  /** Gross: the fees of the month are invoiced on its last ledger date. */
  lastDayOfMonth: boolean;
  /** The settlement this date ends, if any. */
  payout: { settlementId: number; amountOre: number } | null;
}

/** The entries that close a ledger date, after its bookings' entries (fees retained or invoiced, the payout), and each topic's balance after them. */
export function closingEntriesOfDay(day: DayClose): { entries: DraftReportEntry[]; fundsBalanceOre: number; feesBalanceOre: number } {
  const entries: DraftReportEntry[] = [];
  let funds = day.fundsBalanceOre;
  let fees = day.feesBalanceOre;
  const push = (topic: 'funds' | 'fees', fields: Omit<DraftReportEntry, 'topic' | 'balanceBeforeOre' | 'balanceAfterOre' | 'operationId'>) => {
    const before = topic === 'funds' ? funds : fees;
    const after = before + fields.amountOre;
    if (topic === 'funds') funds = after;
    else fees = after;
    entries.push({ topic, balanceBeforeOre: before, balanceAfterOre: after, operationId: null, ...fields });
  };
  const sumReference = `${day.msn}-${day.ledgerDate}`;
  if (day.settlementType === 'net' && day.dayFeesOre > 0) {
    const retained = { entryType: 'fees-retained' as const, pspReference: `fees-${sumReference}`, reference: sumReference, occurredAtMs: day.closedAtMs, settlementId: null };
    push('funds', { ...retained, amountOre: -day.dayFeesOre });
    push('fees', { ...retained, amountOre: -day.dayFeesOre });
  }
  if (day.settlementType === 'gross' && day.lastDayOfMonth && fees > 0) {
    push('fees', { entryType: 'fees-invoiced', amountOre: -fees, pspReference: `invoice-${sumReference}`, reference: sumReference, occurredAtMs: day.closedAtMs, settlementId: null });
  }
  if (day.payout) {
    push('funds', {
      entryType: 'scheduled-for-payout',
      amountOre: -day.payout.amountOre,
      pspReference: `settlement-${day.payout.settlementId}`,
      reference: String(day.payout.settlementId),
      occurredAtMs: day.closedAtMs,
      settlementId: day.payout.settlementId,
    });
  }
  return { entries, fundsBalanceOre: funds, feesBalanceOre: fees };
}
