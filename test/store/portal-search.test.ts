// Goal: the portal's transaction search returns exactly the payments a filter asks for, newest first, page after page
// without gaps or repeats (keyset), across several sales units (merged), whichever way the amount filter is served
// (the newest matches picked from the amount index, or the walk in created order), on both engines; another merchant's units
// are "not found"; the exports read the whole filter. Method: payments inserted straight through the store, the core
// use cases compared with the same filter applied in memory.
import { kasseActor } from '../../src/core/operators/audit.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMerchant, createSalesUnit, NotFoundError } from '../../src/core/merchants/sales-units.ts';
import { dashboard } from '../../src/core/portal/dashboard.ts';
import { merchantScope, type MerchantScope } from '../../src/core/portal/scope.ts';
import { transactionPage, transactionsForExport, PAGE_SIZE, type TransactionFilterInput } from '../../src/core/portal/transactions.ts';
import { osloMidnightMs } from '../../src/domain/bank-calendar.ts';
import { DAY_MS } from '../../src/domain/clock.ts';
import { InvalidRequestError } from '../../src/domain/refusals.ts';
import { amountSearchTuning } from '../../src/store/repos/portal.ts';
import { testDialects } from '../support/databases.ts';
import { seededPaymentRow } from '../support/seeded-payments.ts';
import { startTestKasse, TEST_EPOCH_MS, type TestKasse } from '../support/harness.ts';

const TEST_ACTOR = kasseActor('test');

const STATES = ['captured', 'captured', 'reserved', 'failed', 'cancelled'] as const;
const COUNT = 2_600;

interface Seeded {
  msn: string;
  orderId: string;
  state: string;
  amountOre: number;
  createdAtMs: number;
  id: number;
}

for (const dialect of testDialects()) {
  describe(`portal transaction search (${dialect})`, () => {
    let k: TestKasse;
    let scope: MerchantScope;
    let other: MerchantScope;
    const seeded: Seeded[] = [];

    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
      const ctx = k.kasse.ctx;
      const merchant = await createMerchant(ctx, TEST_ACTOR, { name: 'Search AS' });
      const units = [await createSalesUnit(ctx, TEST_ACTOR, merchant.id, { name: 'One' }), await createSalesUnit(ctx, TEST_ACTOR, merchant.id, { name: 'Two' })];
      const stranger = await createMerchant(ctx, TEST_ACTOR, { name: 'Stranger AS' });
      await createSalesUnit(ctx, TEST_ACTOR, stranger.id, { name: 'Theirs' });
      const rows = [];
      for (let n = 0; n < COUNT; n++) {
        const state = STATES[n % STATES.length]!;
        const amountOre = 100 + ((n * 37) % 5_000) * 10;
        // Some share a creation time, so the id decides their order.
        const createdAtMs = TEST_EPOCH_MS - 20 * DAY_MS + Math.floor(n / 3) * 600_000;
        const captured = state === 'captured' ? amountOre : 0;
        const reserved = state === 'captured' || state === 'reserved' ? amountOre : 0;
        rows.push(
          seededPaymentRow({
            msn: units[n % 7 === 0 ? 1 : 0]!.msn,
            orderId: `search-${n}`,
            state,
            amountOre,
            reservedOre: reserved,
            capturedOre: captured,
            refundedOre: 0,
            createdAtMs,
            reservedAtMs: null,
            transactionText: 'Test',
          }),
        );
      }
      for (let i = 0; i < rows.length; i += 500) await k.kasse.store.db.insertInto('payment').values(rows.slice(i, i + 500)).execute();
      for (const row of await k.kasse.store.db.selectFrom('payment').select(['id', 'msn', 'order_id', 'state', 'amount_ore', 'created_at_ms']).execute()) {
        seeded.push({ msn: row.msn, orderId: row.order_id, state: row.state, amountOre: Number(row.amount_ore), createdAtMs: Number(row.created_at_ms), id: Number(row.id) });
      }
      scope = await merchantScope(ctx, merchant.id);
      other = await merchantScope(ctx, stranger.id);
    });
    after(() => k.close());

    async function allPages(filter: TransactionFilterInput): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await transactionPage(k.kasse.ctx, scope, filter, cursor);
        assert.ok(page.rows.length <= PAGE_SIZE);
        seen.push(...page.rows.map((r) => r.order_id));
        if (page.next === null) return seen;
        cursor = page.next;
      }
    }

    function expected(keep: (p: Seeded) => boolean): string[] {
      return seeded
        .filter(keep)
        .sort((a, b) => b.createdAtMs - a.createdAtMs || b.id - a.id)
        .map((p) => p.orderId);
    }

    const day = (date: string) => osloMidnightMs(date);
    // The fourth term, when given, lowers the amount index's threshold so that these few payments take the walk.
    const cases: [string, TransactionFilterInput, (p: Seeded) => boolean, number?][] = [
      ['everything, both units merged', {}, () => true],
      ['one unit', { msn: 'UNIT1' }, (p) => p.msn === 'UNIT1'],
      ['a status', { status: 'failed' }, (p) => p.state === 'failed'],
      ['a wide amount range (walked in created order)', { minAmount: '10' }, (p) => p.amountOre >= 1_000, 100],
      ['a wide amount range (the newest of its matches, from the amount index)', { minAmount: '10' }, (p) => p.amountOre >= 1_000],
      ['a narrow amount range (probed on the amount index)', { minAmount: '100', maxAmount: '120,50' }, (p) => p.amountOre >= 10_000 && p.amountOre <= 12_050],
      ['an amount nothing has', { minAmount: '100000' }, () => false],
      ['status and amount', { status: 'captured', maxAmount: '30' }, (p) => p.state === 'captured' && p.amountOre <= 3_000],
      ['a date range', { from: '2025-12-20', to: '2025-12-22' }, (p) => p.createdAtMs >= day('2025-12-20') && p.createdAtMs < day('2025-12-23')],
      ['an orderId', { orderId: 'search-77' }, (p) => p.orderId === 'search-77'],
    ];
    for (const [name, filter, keep, selectiveMatches] of cases) {
      test(`${name}: every match once, newest first`, async (t) => {
        if (selectiveMatches !== undefined) {
          const before = amountSearchTuning.selectiveMatches;
          amountSearchTuning.selectiveMatches = selectiveMatches;
          t.after(() => (amountSearchTuning.selectiveMatches = before));
        }
        const unit1 = scope.msns[0]!;
        const resolved = { ...filter, ...(filter.msn ? { msn: unit1 } : {}) };
        const want = expected((p) => keep({ ...p, msn: p.msn === unit1 ? 'UNIT1' : p.msn }));
        assert.deepEqual(await allPages(resolved), want);
        const exported: string[] = [];
        for await (const row of transactionsForExport(k.kasse.ctx, scope, resolved)) exported.push(row.order_id);
        assert.deepEqual(exported, want, 'the export holds the same rows');
      });
    }

    test('the dashboard counts and sums captures and sales, refunds and failures per Oslo day, its own units only', async () => {
      const ops = [
        // 23:30 UTC on 4 January is 00:30 on 5 January in Oslo.
        { kind: 'capture', amount_ore: 10_000, at: '2026-01-04T23:30:00Z', unit: 0 },
        { kind: 'sale', amount_ore: 5_000, at: '2026-01-05T08:00:00Z', unit: 1 },
        { kind: 'refund', amount_ore: 2_500, at: '2026-01-05T09:00:00Z', unit: 0 },
        { kind: 'reserve_failed', amount_ore: 151, at: '2026-01-04T12:00:00Z', unit: 0 },
        { kind: 'reserve', amount_ore: 99_900, at: '2026-01-05T09:30:00Z', unit: 0 },
      ] as const;
      const payment = seeded.find((p) => p.msn === scope.msns[0])!;
      let seq = 100;
      for (const op of ops) {
        await k.kasse.store.db
          .insertInto('payment_operation')
          .values({ payment_id: payment.id, msn: scope.msns[op.unit]!, seq: seq++, kind: op.kind, amount_ore: op.amount_ore, transaction_text: 't', request_id: '', created_at_ms: Date.parse(op.at), error_key: null })
          .execute();
      }
      const { days, totals } = await dashboard(k.kasse.ctx, scope, 30);
      assert.equal(days.length, 30);
      assert.equal(days.at(-1)?.date, '2026-01-05');
      assert.deepEqual(
        { ...days.at(-1), date: undefined },
        { date: undefined, capturedOre: 15_000, capturedCount: 2, refundedOre: 2_500, refundedCount: 1, failedOre: 0, failedCount: 0, payoutOre: 0 },
      );
      assert.deepEqual([days.at(-2)?.date, days.at(-2)?.failedCount, days.at(-2)?.capturedOre], ['2026-01-04', 1, 0]);
      assert.deepEqual([totals.capturedOre, totals.refundedOre, totals.failedCount], [15_000, 2_500, 1]);
      const theirs = await dashboard(k.kasse.ctx, other, 30);
      assert.equal(theirs.totals.capturedCount, 0);
    });

    test("another merchant's sales unit is not found; bad input names its field", async () => {
      await assert.rejects(transactionPage(k.kasse.ctx, scope, { msn: other.msns[0] }), NotFoundError);
      for (const [field, filter] of [['minAmount', { minAmount: '12,345' }], ['status', { status: 'paid' }], ['from', { from: '2026-02-30' }]] as const) {
        await assert.rejects(transactionPage(k.kasse.ctx, scope, filter), (e: unknown) => e instanceof InvalidRequestError && e.field === field);
      }
      await assert.rejects(transactionPage(k.kasse.ctx, scope, {}, 'bm9uc2Vuc2U'), InvalidRequestError);
    });
  });
}
