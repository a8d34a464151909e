import type { SettlementType } from './settlement.ts';

/**
 * The Report API's entries of one closed ledger date, per topic, each moving its topic's balance
 * (balanceAfter = balanceBefore + amount). Funds: captures (+), refunds (−), the day's fees retained on net
 * settlement (−, one sum), and the payout scheduled when a settlement ends with this date (−). Fees: each capture's
 * fee (+), then on net the same day's sum retained (−), on gross the month's fees invoiced on its last day (−).
 */
export type ReportEntryType = 'capture' | 'refund' | 'capture-fee' | 'fees-retained' | 'fees-invoiced' | 'scheduled-for-payout';

export interface DayBooking {
  operationId: number;
  orderId: string;
  kind: 'capture' | 'refund';
  amountOre: number;
  feeOre: number;
  bookedAtMs: number;
}

export interface DraftReportEntry {
  topic: 'funds' | 'fees';
  entryType: ReportEntryType;
  amountOre: number;
  balanceBeforeOre: number;
  balanceAfterOre: number;
  operationId: number | null;
  pspReference: string | null;
  reference: string;
  occurredAtMs: number;
  settlementId: number | null;
}

export interface DayClose {
  msn: string;
  ledgerDate: string;
  closedAtMs: number;
  settlementType: SettlementType;
  bookings: readonly DayBooking[];
  fundsBalanceOre: number;
  feesBalanceOre: number;
  /** Gross: the fees of the month are invoiced on its last ledger date. */
  lastDayOfMonth: boolean;
  /** The settlement this date ends, if any. */
  payout: { settlementId: number; amountOre: number } | null;
}

export function reportEntriesOfDay(day: DayClose): DraftReportEntry[] {
  const entries: DraftReportEntry[] = [];
  let funds = day.fundsBalanceOre;
  let fees = day.feesBalanceOre;
  const push = (topic: 'funds' | 'fees', fields: Omit<DraftReportEntry, 'topic' | 'balanceBeforeOre' | 'balanceAfterOre'>) => {
    const before = topic === 'funds' ? funds : fees;
    const after = before + fields.amountOre;
    if (topic === 'funds') funds = after;
    else fees = after;
    entries.push({ topic, balanceBeforeOre: before, balanceAfterOre: after, ...fields });
  };
  const none = { settlementId: null, pspReference: null };
  let dayFeesOre = 0;
  for (const b of day.bookings) {
    const amountOre = b.kind === 'capture' ? b.amountOre : -b.amountOre;
    push('funds', { entryType: b.kind, amountOre, operationId: b.operationId, reference: b.orderId, occurredAtMs: b.bookedAtMs, ...none });
    if (b.kind === 'capture' && b.feeOre > 0) {
      dayFeesOre += b.feeOre;
      push('fees', { entryType: 'capture-fee', amountOre: b.feeOre, operationId: b.operationId, reference: b.orderId, occurredAtMs: b.bookedAtMs, ...none });
    }
  }
  const sumReference = `${day.msn}-${day.ledgerDate}`;
  if (day.settlementType === 'net' && dayFeesOre > 0) {
    const retained = { entryType: 'fees-retained' as const, operationId: null, pspReference: `fees-${sumReference}`, reference: sumReference, occurredAtMs: day.closedAtMs, settlementId: null };
    push('funds', { ...retained, amountOre: -dayFeesOre });
    push('fees', { ...retained, amountOre: -dayFeesOre });
  }
  if (day.settlementType === 'gross' && day.lastDayOfMonth && fees > 0) {
    push('fees', { entryType: 'fees-invoiced', amountOre: -fees, operationId: null, pspReference: `invoice-${sumReference}`, reference: sumReference, occurredAtMs: day.closedAtMs, settlementId: null });
  }
  if (day.payout) {
    push('funds', {
      entryType: 'scheduled-for-payout',
      amountOre: -day.payout.amountOre,
      operationId: null,
      pspReference: `settlement-${day.payout.settlementId}`,
      reference: String(day.payout.settlementId),
      occurredAtMs: day.closedAtMs,
      settlementId: day.payout.settlementId,
    });
  }
  return entries;
}
