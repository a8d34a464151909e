import { osloDateOf } from '../../domain/bank-calendar.ts';
import { findMerchant, findSalesUnit } from '../../store/repos/merchants.ts';
import { bookingsBetween, findSettlement, isLedgerDateClosed, listSettlements, reportEntriesAfter } from '../../store/repos/settlements.ts';
import type { ReportEntryRow, ReportTopic } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';

/**
 * The Report API's reads. One ledger per sales unit, whose id is the MSN. Entries exist only for closed ledger
 * dates and are written once (insert-only), so a page once returned never changes.
 */
export interface ReportPage {
  entries: ReportEntryRow[];
  /** More entries follow after the last one of this page. */
  hasMore: boolean;
}

/** The ledger of the caller's sales unit, if `ledgerId` names it. */
export function ownLedger(msn: string, ledgerId: string): boolean {
  return ledgerId === msn;
}

/** A date is closed once its report is written; dates before the sales unit existed are closed and empty. */
export async function isReportDateClosed(ctx: AppContext, msn: string, ledgerDate: string): Promise<boolean> {
  const unit = await findSalesUnit(ctx.store.db, msn);
  if (unit && ledgerDate < osloDateOf(unit.created_at_ms)) return true;
  return isLedgerDateClosed(ctx.store.db, msn, ledgerDate);
}

export async function reportPage(
  ctx: AppContext,
  args: { msn: string; topic: ReportTopic; afterId: number; pageSize: number; ledgerDate?: string },
): Promise<ReportPage> {
  const rows = await reportEntriesAfter(ctx.store.db, { ...args, limit: args.pageSize + 1 });
  return { entries: rows.slice(0, args.pageSize), hasMore: rows.length > args.pageSize };
}

/** The organisation number of the merchant that owns a sales unit (null when the operator never set one). */
export async function ownerOrgNumber(ctx: AppContext, msn: string): Promise<string | null> {
  const unit = await findSalesUnit(ctx.store.db, msn);
  const merchant = unit ? await findMerchant(ctx.store.db, unit.merchant_id) : undefined;
  return merchant?.org_number ?? null;
}

export type SettlementStatus = 'scheduled' | 'paid' | 'booked';

/** A settlement as its merchant sees it: scheduled until the payout leaves (day 3), paid, then booked by the bank (day 5). */
export interface SettlementView {
  id: number;
  msn: string;
  ledgerDateFrom: string;
  ledgerDateTo: string;
  settlementType: 'net' | 'gross';
  capturesOre: number;
  refundsOre: number;
  feesOre: number;
  payoutOre: number;
  computedAtMs: number;
  payoutAtMs: number;
  bankBookedAtMs: number;
  status: SettlementStatus;
}

function viewOf(row: NonNullable<Awaited<ReturnType<typeof findSettlement>>>, nowMs: number): SettlementView {
  const payoutAtMs = Number(row.payout_at_ms);
  return {
    id: Number(row.id),
    msn: row.msn,
    ledgerDateFrom: row.ledger_date_from,
    ledgerDateTo: row.ledger_date_to,
    settlementType: row.settlement_type,
    capturesOre: Number(row.captures_ore),
    refundsOre: Number(row.refunds_ore),
    feesOre: Number(row.fees_ore),
    payoutOre: Number(row.payout_ore),
    computedAtMs: Number(row.computed_at_ms),
    payoutAtMs,
    bankBookedAtMs: Number(row.bank_booked_at_ms),
    status: row.bank_booked_ms !== null ? 'booked' : nowMs >= payoutAtMs ? 'paid' : 'scheduled',
  };
}

export async function settlementsOf(ctx: AppContext, msn: string): Promise<SettlementView[]> {
  const nowMs = ctx.clock.nowMs();
  return (await listSettlements(ctx.store.db, msn)).map((row) => viewOf(row, nowMs));
}

export async function settlementOf(ctx: AppContext, msn: string, settlementId: number): Promise<SettlementView | undefined> {
  const row = await findSettlement(ctx.store.db, msn, settlementId);
  return row ? viewOf(row, ctx.clock.nowMs()) : undefined;
}

/** The bookings a settlement pays, in the order they were booked. */
export async function settlementBookings(ctx: AppContext, settlement: SettlementView) {
  return bookingsBetween(ctx.store.db, settlement.msn, settlement.ledgerDateFrom, settlement.ledgerDateTo);
}

/** Everything a settlement's files show: the settlement, its sales unit and merchant, and the bookings it pays. */
export async function settlementDocument(ctx: AppContext, msn: string, settlementId: number) {
  const settlement = await settlementOf(ctx, msn, settlementId);
  if (!settlement) return undefined;
  const unit = await findSalesUnit(ctx.store.db, msn);
  const merchant = unit ? await findMerchant(ctx.store.db, unit.merchant_id) : undefined;
  const bookings = await settlementBookings(ctx, settlement);
  return {
    settlement,
    salesUnitName: unit?.name ?? msn,
    merchantName: merchant?.name ?? '',
    orgNumber: merchant?.org_number ?? null,
    transactions: bookings.map((b) => ({
      operationId: Number(b.operation_id),
      orderId: b.order_id,
      kind: b.kind,
      amountOre: Number(b.amount_ore),
      feeOre: Number(b.fee_ore),
      bookedAtMs: Number(b.booked_at_ms),
      ledgerDate: b.ledger_date,
    })),
  };
}

export type SettlementDocument = NonNullable<Awaited<ReturnType<typeof settlementDocument>>>;
