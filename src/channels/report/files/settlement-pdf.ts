import PDFDocument from 'pdfkit';
import type { SettlementDocument } from '../../../core/settlements/reports.ts';
import { VIPPS_INFO, kroner, norwegianDate, settlementFigures, transactionRows } from './format.ts';

/** A settlement a person would print: the merchant, the totals, the payout and every transaction. */
export function settlementPdf(doc: SettlementDocument): Promise<Buffer> {
  const s = settlementFigures(doc);
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Settlement ${s.settlementId}`, Author: VIPPS_INFO.name } });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.fontSize(18).text(`Settlement ${s.settlementId}`);
  pdf.moveDown(0.5).fontSize(10);
  pdf.text(`${doc.salesUnitName} (MSN ${doc.settlement.msn}), ${doc.merchantName}${doc.orgNumber ? `, org. no. ${doc.orgNumber}` : ''}`);
  pdf.text(`Ledger dates ${norwegianDate(doc.settlement.ledgerDateFrom)} – ${norwegianDate(doc.settlement.ledgerDateTo)}, ${doc.settlement.settlementType} settlement`);
  pdf.text(`Paid to account ${s.account}`);
  pdf.moveDown();
  for (const [label, ore] of [
    ['Captured', s.captureOre],
    ['Refunded', s.refundOre],
    ['Fees', -s.feeOre],
    ['Paid out (NOK)', s.settledOre],
  ] as const) {
    pdf.text(`${label}: ${kroner(ore)}`);
  }
  pdf.moveDown().fontSize(9).text('Time · Transaction · Order · Captured · Refunded · Fee · Net');
  for (const t of transactionRows(doc)) {
    pdf.text(`${t.time} · ${t.transactionId} · ${t.orderId} · ${kroner(t.captureOre)} · ${kroner(t.refundOre)} · ${kroner(-t.feeOre)} · ${kroner(t.netOre)}`);
  }
  pdf.moveDown().text(`${VIPPS_INFO.name}, ${VIPPS_INFO.visitingAddress}, ${VIPPS_INFO.postAddress}`);
  pdf.end();
  return done;
}
