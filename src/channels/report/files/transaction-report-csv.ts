import { stringify } from 'csv-stringify/sync';
import type { TransactionReportDocument } from '../../../core/reports/transaction-reports.ts';
import { transactionIdOf } from '../../ecomm-v2/presenters.ts';
import { osloTimestamp } from '../presenters.ts';
import { kroner } from './format.ts';

export const TRANSACTION_REPORT_COLUMNS = ['Time', 'SaleUnitNumber', 'OrderID', 'TransactionId', 'Operation', 'Amount', 'Currency', 'Status'] as const;

/** A transaction report: one header row, then each payment operation of the period in the order it was recorded. */
export function transactionReportRows(doc: TransactionReportDocument): string[][] {
  return [
    [...TRANSACTION_REPORT_COLUMNS],
    ...doc.operations.map((op) => [
      osloTimestamp(op.atMs),
      doc.report.msn,
      op.orderId,
      transactionIdOf({ id: op.operationId }),
      op.operation,
      kroner(op.amountOre),
      'NOK',
      op.status,
    ]),
  ];
}

export function transactionReportCsv(doc: TransactionReportDocument): string {
  return stringify(transactionReportRows(doc));
}
