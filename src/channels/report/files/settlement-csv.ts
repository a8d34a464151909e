import { stringify } from 'csv-stringify/sync';
import type { SettlementDocument } from '../../../core/settlements/reports.ts';
import { VIPPS_INFO, kroner, norwegianDate, settlementFigures, transactionRows } from './format.ts';

/**
 * The sectioned CSV of `spec/settlements/settlement-report.csv`: the merchant, Vipps, the settlement, its fees, then one
 * row per transaction. Fees and refunds are negative here, as in the sample.
 */
export function settlementCsvRows(doc: SettlementDocument): string[][] {
  const s = settlementFigures(doc);
  const { msn } = doc.settlement;
  const settlementDate = norwegianDate(s.settlementDate);
  return [
    ['OrganizationNumber', 'MerchantName'],
    [doc.orgNumber ?? '', doc.merchantName],
    ['Name', 'VisitingAddress', 'Postbox', 'Zipno', 'Place', 'Country', 'CompanyNumber'],
    [VIPPS_INFO.name, VIPPS_INFO.visitingAddress, '', '0191', 'Oslo', VIPPS_INFO.country, VIPPS_INFO.orgNumber],
    ['SettlementInfo', 'SalesUnitName', 'SaleUnitNumber', 'SettlementDate', 'SettlementID', 'SettlementAccount', 'Gross', 'Currency', 'Fee', 'Refund', 'Net', 'NumberOfTransactions'],
    ['SettlementInfo', doc.salesUnitName, msn, settlementDate, s.settlementId, s.account, kroner(s.captureOre), 'NOK', kroner(-s.feeOre), kroner(s.refundOre), kroner(s.settledOre), String(s.transactions)],
    ['FeeInfo', 'SettlementDate', 'SaleUnitName', 'SaleUnitNumber', 'FeeAccount', 'Fee', 'Currency'],
    ...(s.feeOre > 0 ? [['FeeInfo', settlementDate, doc.salesUnitName, msn, doc.settlement.settlementType === 'net' ? 'retained' : 'invoiced', kroner(-s.feeOre), 'NOK']] : []),
    ['TransactionInfo', 'SalesDate', 'SaleUnitName', 'SaleUnitNumber', 'TransactionId', 'SettlementId', 'OrderID', 'SettlementDate', 'Gross', 'Currency', 'Fee', 'Refund', 'Net'],
    ...transactionRows(doc).map((t) => [
      'TransactionInfo',
      norwegianDate(t.ledgerDate),
      doc.salesUnitName,
      msn,
      t.transactionId,
      s.settlementId,
      t.orderId,
      settlementDate,
      kroner(t.captureOre),
      'NOK',
      kroner(-t.feeOre),
      kroner(t.refundOre),
      kroner(t.netOre),
    ]),
  ];
}

export function settlementCsv(doc: SettlementDocument): string {
  return stringify(settlementCsvRows(doc));
}
