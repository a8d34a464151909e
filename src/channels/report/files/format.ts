import type { SettlementDocument } from '../../../core/settlements/reports.ts';
import { transactionIdOf } from '../../ecomm-v2/presenters.ts';
import { osloTimestamp, sandboxBankAccountOf } from '../presenters.ts';

/** Øre as kroner with two decimals (`-13.00`), exactly: no floating point on money. */
export function kroner(ore: number): string {
  const sign = ore < 0 ? '-' : '';
  const abs = Math.abs(ore);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `2021-04-12` → `12.04.2021`, as the CSV sample writes dates. */
export function norwegianDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}.${m}.${y}`;
}

/** One row per capture or refund of a settlement, in the figures every file shows (øre). */
export function transactionRows(doc: SettlementDocument) {
  return doc.transactions.map((t) => {
    const captureOre = t.kind === 'capture' ? t.amountOre : 0;
    const refundOre = t.kind === 'refund' ? -t.amountOre : 0;
    const grossOre = captureOre + refundOre;
    return {
      time: osloTimestamp(t.bookedAtMs),
      ledgerDate: t.ledgerDate,
      transactionId: transactionIdOf({ id: t.operationId }),
      orderId: t.orderId,
      captureOre,
      refundOre,
      grossOre,
      feeOre: t.feeOre,
      netOre: grossOre - t.feeOre,
    };
  });
}

export function settlementFigures(doc: SettlementDocument) {
  const s = doc.settlement;
  const grossOre = s.capturesOre - s.refundsOre;
  return {
    settlementId: String(s.id),
    settlementDate: s.ledgerDateTo,
    account: sandboxBankAccountOf(s.msn),
    captureOre: s.capturesOre,
    refundOre: -s.refundsOre,
    grossOre,
    feeOre: s.feesOre,
    netOre: grossOre - s.feesOre,
    settledOre: s.payoutOre,
    transactions: doc.transactions.length,
  };
}

export const VIPPS_INFO = {
  name: 'Vipps MobilePay AS',
  webSite: 'vippsmobilepay.com',
  visitingAddress: 'Dronning Eufemias Gate 42',
  postBox: '',
  postAddress: 'N-0191 Oslo',
  country: 'Norway',
  orgNumber: '918713867',
};
