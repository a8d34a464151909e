import { settlementCsv } from './settlement-csv.ts';
import { settlementPdf } from './settlement-pdf.ts';
import { settlementXml } from './settlement-xml.ts';
import { settlementXlsx } from './settlement-xlsx.ts';

/** A settlement's files by extension: the Report channel's `/_kasse/settlements/{id}.{ext}` and the portal serve the same. */
export const SETTLEMENT_FILES = {
  xml: { contentType: 'application/xml; charset=utf-8', render: settlementXml },
  csv: { contentType: 'text/csv; charset=utf-8', render: settlementCsv },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', render: settlementXlsx },
  pdf: { contentType: 'application/pdf', render: settlementPdf },
} as const;

export type SettlementFileType = keyof typeof SETTLEMENT_FILES;
export const SETTLEMENT_FILE_TYPES = Object.keys(SETTLEMENT_FILES) as SettlementFileType[];
