import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { PassThrough, Readable } from 'node:stream';
import type { PaymentListRow } from '../../../store/repos/portal.ts';
import { isoTimestamp } from '../../../domain/clock.ts';

/** The columns of both exports, in kroner with two decimals (the CSV) or as numbers (the XLSX). */
const HEADER = ['Created (UTC)', 'Sales unit', 'Order id', 'Status', 'Amount (NOK)', 'Captured (NOK)', 'Refunded (NOK)', 'Transaction text'];

function cells(row: PaymentListRow): (string | number)[] {
  return [
    isoTimestamp(row.created_at_ms),
    row.msn,
    row.order_id,
    row.state,
    row.amount_ore / 100,
    row.captured_ore / 100,
    row.refunded_ore / 100,
    row.transaction_text,
  ];
}

/** CSV (csv-stringify), streamed as the rows are read. Cells that a spreadsheet would run as a formula are quoted out. */
export function transactionsCsv(rows: AsyncIterable<PaymentListRow>): Readable {
  const csv = stringify({
    header: true,
    columns: HEADER,
    cast: { number: (value) => value.toFixed(2), string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) },
  });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) yield cells(row);
    })(),
  );
  source.on('error', (error) => csv.destroy(error));
  source.pipe(csv);
  return csv;
}

/** XLSX (exceljs' streaming writer), one sheet, amounts as numbers formatted to two decimals. */
export function transactionsXlsx(rows: AsyncIterable<PaymentListRow>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  workbook.creator = 'Kasse';
  const sheet = workbook.addWorksheet('Transactions');
  sheet.columns = HEADER.map((header, i) => ({ header, width: [22, 10, 28, 11, 14, 14, 14, 40][i] ?? 14 }));
  void (async () => {
    try {
      for await (const row of rows) {
        const added = sheet.addRow(cells(row));
        for (const column of [5, 6, 7]) added.getCell(column).numFmt = '0.00';
        added.commit();
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
