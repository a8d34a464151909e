// Helpers of the settlement scenarios: a merchant with settlement terms, payments captured "now", the sandbox clock
// moved to an Oslo time, and the Report API, settlement list and bank account read as a merchant would.
import assert from 'node:assert/strict';
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

  async bankAccount(): Promise<any> {
    const account = await this.get('/_kasse/settlements/bank-account');
    assert.equal(account.status, 200, account.text);
    return account.body;
  }
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
