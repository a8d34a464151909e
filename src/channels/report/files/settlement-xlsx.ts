import ExcelJS from 'exceljs';
import type { SettlementDocument } from '../../../core/settlements/reports.ts';
import { settlementCsvRows } from './settlement-csv.ts';

/** The same sections as the CSV, one sheet, with money as numbers in kroner formatted to two decimals. */
export async function settlementXlsx(doc: SettlementDocument): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Kasse';
  const sheet = workbook.addWorksheet(`Settlement ${doc.settlement.id}`);
  for (const row of settlementCsvRows(doc)) {
    const added = sheet.addRow(row.map((cell) => (/^-?\d+\.\d{2}$/.test(cell) ? Number(cell) : cell)));
    added.eachCell((cell) => {
      if (typeof cell.value === 'number') cell.numFmt = '0.00';
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
