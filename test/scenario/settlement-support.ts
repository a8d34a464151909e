// Helpers of the settlement scenarios: a merchant with settlement terms, payments captured "now", the sandbox clock
// moved to an Oslo time, and the Report API, settlement list and bank account read as a merchant would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { validateXML } from 'xmllint-wasm';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

export type Terms = { feeBasisPoints?: number; feeFixedOre?: number; settlementType?: 'net' | 'gross'; payoutFrequency?: 'daily' | 'weekly' | 'monthly' };

export class SettlementMerchant {
  #orders = 0;
  constructor(
    readonly kasse: TestKasse,
    readonly credentials: MerchantClient['credentials'],
  ) {}

  static async create(kasse: TestKasse, terms: Terms = {}): Promise<SettlementMerchant> {
    return new SettlementMerchant(kasse, (await MerchantClient.create(kasse.baseUrl, terms)).credentials);
  }

  get msn(): string {
    return this.credentials.merchantSerialNumber;
  }

  /** A client with a fresh access token: the clock moves by days between calls, past any token's lifetime. */
  get client(): MerchantClient {
    return new MerchantClient(this.kasse.baseUrl, this.credentials);
  }

  /** Reserve `amountOre` and capture `captureOre` of it now; returns the orderId and the capture's transactionId. */
  async sell(amountOre: number, captureOre = amountOre): Promise<{ orderId: string; transactionId: string }> {
    const orderId = `settle-${this.msn}-${++this.#orders}`;
    const client = this.client;
    await client.reserved(orderId, amountOre);
    return { orderId, transactionId: await this.capture(orderId, captureOre) };
  }

  async capture(orderId: string, amountOre: number): Promise<string> {
    const captured = await this.client.capture(orderId, amountOre);
    assert.equal(captured.status, 200, captured.text);
    return captured.body.transactionInfo.transactionId;
  }

  async refund(orderId: string, amountOre: number): Promise<string> {
    const refunded = await this.client.refund(orderId, amountOre);
    assert.equal(refunded.status, 200, refunded.text);
    return refunded.body.transaction.transactionId;
  }

  async get(path: string) {
    const result = await httpRequest(`${this.kasse.baseUrl}${path}`, { headers: await this.client.authHeaders() });
    return result;
  }

  /** The whole report of one ledger date and topic, following cursors. */
  async report(ledgerDate: string, topic: 'funds' | 'fees' = 'funds', pageSize?: number): Promise<{ tryLater: boolean; items: any[] }> {
    const items: any[] = [];
    let cursor = '';
    for (;;) {
      const query = new URLSearchParams({ ...(cursor ? { cursor } : {}), ...(pageSize ? { pageSize: String(pageSize) } : {}) });
      const page = await this.get(`/report/v2/ledgers/${this.msn}/${topic}/dates/${ledgerDate}?${query}`);
      assert.equal(page.status, 200, page.text);
      items.push(...page.body.items);
      if (page.body.tryLater || !page.body.hasMore) return { tryLater: page.body.tryLater === true, items };
      cursor = page.body.cursor;
    }
  }

  async settlements(): Promise<any[]> {
    const list = await this.get('/_kasse/settlements');
    assert.equal(list.status, 200, list.text);
    return list.body.items;
  }

  /**
   * A settlement's four files: the XML validates against SettlementReport-3.0.xsd and states the payout; the CSV
   * parses back to the same figures as the list (settlement row and the sum of its transaction rows) and, when given,
   * lists exactly the sales it pays (orderId, transactionId); the XLSX holds the CSV's rows (money as numbers); the PDF
   * is what its magic bytes say.
   */
  async assertFiles(
    settlement: { settlementId: string; capturedAmount: number; refundedAmount: number; feeAmount: number; payoutAmount: number },
    sales?: ReadonlyArray<{ orderId: string; transactionId: string }>,
  ): Promise<void> {
    const xml = await this.get(`/_kasse/settlements/${settlement.settlementId}.xml`);
    assert.equal(xml.status, 200, xml.text);
    const validation = await validateXML({ xml: [{ fileName: 'settlement.xml', contents: xml.text }], schema: [SETTLEMENT_XSD] });
    assert.deepEqual(validation.errors, [], xml.text);
    assert.ok(validation.valid);
    assert.match(xml.text, new RegExp(`<SettledAmount>${kroner(settlement.payoutAmount)}</SettledAmount>`));

    const csv = await this.get(`/_kasse/settlements/${settlement.settlementId}.csv`);
    assert.equal(csv.status, 200, csv.text);
    const rows = parseCsv(csv.text, { relax_column_count: true }) as string[][];
    const settlementRow = rows.find((r) => r[0] === 'SettlementInfo' && r[1] !== 'SalesUnitName')!;
    const ore = (cell: string | undefined) => Math.round(Number(cell) * 100) + 0;
    const negative = (amountOre: number) => (amountOre === 0 ? 0 : -amountOre);
    assert.deepEqual(
      [ore(settlementRow[6]), ore(settlementRow[8]), ore(settlementRow[9]), ore(settlementRow[10])],
      [settlement.capturedAmount, negative(settlement.feeAmount), negative(settlement.refundedAmount), settlement.payoutAmount],
    );
    const transactions = rows.filter((r) => r[0] === 'TransactionInfo' && r[1] !== 'SalesDate');
    const sum = (column: number) => transactions.reduce((total, r) => total + ore(r[column]), 0) + 0;
    assert.deepEqual([sum(8), sum(10), sum(11)], [settlement.capturedAmount, negative(settlement.feeAmount), negative(settlement.refundedAmount)]);
    assert.equal(Number(settlementRow[11]), transactions.length);
    if (sales) assert.deepEqual(transactions.map((r) => ({ orderId: r[6], transactionId: r[4] })), sales.map(({ orderId, transactionId }) => ({ orderId, transactionId })));

    const xlsx = await fetch(`${this.kasse.baseUrl}/_kasse/settlements/${settlement.settlementId}.xlsx`, { headers: await this.client.authHeaders() });
    assert.equal(xlsx.status, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheetRows: string[][] = [];
    workbook.worksheets[0]!.eachRow((row) => {
      const cells = (row.values as unknown[]).slice(1);
      sheetRows.push(cells.map((cell) => (typeof cell === 'number' ? kroner(Math.round(cell * 100)) : String(cell ?? ''))));
    });
    assert.deepEqual(sheetRows, rows.map((r) => r.slice(0, lastFilled(r) + 1)), 'the XLSX holds the CSV’s rows');
    const pdf = await this.get(`/_kasse/settlements/${settlement.settlementId}.pdf`);
    assert.equal(pdf.status, 200);
    assert.ok(pdf.text.startsWith('%PDF-'), 'a PDF');
  }

  async bankAccount(): Promise<any> {
    const account = await this.get('/_kasse/settlements/bank-account');
    assert.equal(account.status, 200, account.text);
    return account.body;
  }
}

const SETTLEMENT_XSD = { fileName: 'SettlementReport-3.0.xsd', contents: readFileSync(new URL('../../spec/settlements/SettlementReport-3.0.xsd', import.meta.url), 'utf8') };

/** The index of a row's last non-empty cell (a sheet row ends there; a CSV row may carry empty cells after it). */
function lastFilled(row: readonly string[]): number {
  for (let i = row.length - 1; i >= 0; i--) if (row[i] !== '') return i;
  return -1;
}

function kroner(ore: number): string {
  return `${ore < 0 ? '-' : ''}${Math.floor(Math.abs(ore) / 100)}.${String(Math.abs(ore) % 100).padStart(2, '0')}`;
}

/** Move the sandbox clock forward to an Oslo wall-clock time (`2026-01-06T06:00`), through the sandbox endpoint. */
export async function moveTo(kasse: TestKasse, osloLocal: string): Promise<void> {
  const target = osloInstant(osloLocal);
  const now = kasse.clock.nowMs();
  assert.ok(target >= now, `${osloLocal} is not in the future`);
  const moved = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/clock`, { method: 'POST', body: { advanceMs: target - now } });
  assert.equal(moved.status, 200, moved.text);
}

function osloInstant(local: string): number {
  for (const offset of ['+01:00', '+02:00']) {
    const t = Date.parse(`${local}:00${offset}`);
    const back = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', dateStyle: 'short', timeStyle: 'short' }).format(new Date(t)).replace(' ', 'T');
    if (back === local) return t;
  }
  throw new Error(`no such Oslo time ${local}`);
}

/** Every entry moves its balance, and each continues from the one before. */
export function assertBalancesChain(items: any[], startOre: number): void {
  let balance = startOre;
  for (const item of items) {
    assert.equal(item.balanceBefore, balance, `${item.entryType} ${item.pspReference} starts at ${balance}`);
    assert.equal(item.balanceAfter, item.balanceBefore + item.amount);
    balance = item.balanceAfter;
  }
}

export async function assertReconciled(kasse: TestKasse): Promise<void> {
  const report = await reconcile(kasse.kasse.store);
  assert.deepEqual(report.violations, []);
}
