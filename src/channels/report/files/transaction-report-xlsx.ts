import ExcelJS from 'exceljs';
import type { TransactionReportDocument } from '../../../core/reports/transaction-reports.ts';
import { transactionReportRows } from './transaction-report-csv.ts';

const AMOUNT_COLUMN = 6;

/** The CSV's rows on one sheet, the amount as a number in kroner formatted to two decimals. */
export async function transactionReportXlsx(doc: TransactionReportDocument): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Kasse';
  const { report } = doc;
  const sheet = workbook.addWorksheet(`${report.frequency === 'daily' ? 'Day' : 'Month'} ${report.periodFrom}`);
  transactionReportRows(doc).forEach((row, i) => {
    const added = sheet.addRow(i === 0 ? row : row.map((cell, column) => (column === AMOUNT_COLUMN - 1 ? Number(cell) : cell)));
    if (i > 0) added.getCell(AMOUNT_COLUMN).numFmt = '0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A report's file name: `{msn}-{daily|monthly}-{period start}.{extension}`. */
export function transactionReportFileName(doc: TransactionReportDocument, extension: string): string {
  return `${doc.report.msn}-${doc.report.frequency}-${doc.report.periodFrom}.${extension}`;
}
