import { create } from 'xmlbuilder2';
import type { SettlementDocument } from '../../../core/settlements/reports.ts';
import { VIPPS_INFO, kroner, settlementFigures, transactionRows } from './format.ts';

/** The settlement as `SettlementReport-3.0.xsd` XML (element order as the schema's sequences). */
export function settlementXml(doc: SettlementDocument): string {
  const s = settlementFigures(doc);
  const root = create({ version: '1.0', encoding: 'UTF-8', standalone: true }).ele('http://vipps.no/xmlschema/SettlementReport-3.0.xsd', 'SettlementReport');
  const details = root.ele('SettlementDetailsInfo');
  details.ele('SaleUnitName').txt(doc.salesUnitName);
  details.ele('SerialNumber').txt(doc.settlement.msn);
  details.ele('OrganizationName').txt(doc.merchantName);
  details.ele('OrganizationNumber').txt(doc.orgNumber ?? '');
  details.ele('MainAddress').txt('');
  details.ele('MainAddressZipCode').txt('');
  details.ele('MainAddressCity').txt('');
  details.ele('MainAddressCountryCode').txt('NOR');
  const payments = details.ele('PaymentsInfo');
  payments.ele('ReportDateFrom').txt(doc.settlement.ledgerDateFrom);
  payments.ele('ReportDateTo').txt(doc.settlement.ledgerDateTo);
  payments.ele('SettlementCurrencyCode').txt('NOK');
  payments.ele('ReportReferenceNum').txt(s.settlementId);
  payments.ele('SettlementAccountNum').txt(s.account);
  const info = payments.ele('SettlementInfo');
  info.ele('SettlementDate').txt(s.settlementDate);
  info.ele('SettlementID').txt(s.settlementId);
  info.ele('SettlementCurrencyCode').txt('NOK');
  info.ele('SettlementType').txt(doc.settlement.settlementType === 'net' ? 'Net' : 'Gross');
  for (const t of transactionRows(doc)) {
    const row = info.ele('TransactionInfo');
    row.ele('TransactionTime').txt(t.time);
    row.ele('TransactionCaptureAmount').txt(kroner(t.captureOre));
    row.ele('TransactionRefundAmount').txt(kroner(t.refundOre));
    row.ele('TransactionGrossAmount').txt(kroner(t.grossOre));
    row.ele('TransactionNetAmount').txt(kroner(t.netOre));
    row.ele('TransactionFeeAmount').txt(kroner(t.feeOre));
    row.ele('SettlementCurrencyCode').txt('NOK');
    row.ele('TransactionID').txt(t.transactionId);
    row.ele('OrderID').txt(t.orderId);
  }
  info.ele('NumOfTransactions').txt(String(s.transactions));
  info.ele('CaptureSettlementAmount').txt(kroner(s.captureOre));
  info.ele('RefundSettlementAmount').txt(kroner(s.refundOre));
  info.ele('GrossSettlementAmount').txt(kroner(s.grossOre));
  info.ele('NetSettlementAmount').txt(kroner(s.netOre));
  info.ele('FeeSettlementAmount').txt(kroner(s.feeOre));
  info.ele('SettledAmount').txt(kroner(s.settledOre));
  payments.ele('NumOfSettlements').txt('1');
  const vipps = root.ele('VippsInfo');
  vipps.ele('Name').txt(VIPPS_INFO.name);
  vipps.ele('WebSite').txt(VIPPS_INFO.webSite);
  vipps.ele('VisitingAddress').txt(VIPPS_INFO.visitingAddress);
  vipps.ele('PostBox').txt(VIPPS_INFO.postBox);
  vipps.ele('PostAddress').txt(VIPPS_INFO.postAddress);
  vipps.ele('Country').txt(VIPPS_INFO.country);
  return root.end({ prettyPrint: true });
}
