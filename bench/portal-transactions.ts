/**
 * `node --import tsx bench/portal-transactions.ts [sqlite|postgres]` — the portal's transaction search with
 * BENCH_PORTAL_PAYMENTS payments (1 000 000) of one merchant: most in one busy sales unit, a few in a second one.
 * The payments are inserted in bulk straight through the store (the ecomm benchmarks measure creating them), spread
 * over 90 days, in every state. Then each filter's page is asked for BENCH_PORTAL_ROUNDS times (200) through the
 * same use case the page uses (core/portal/transactions.ts), and p50/p99/max are printed per filter.
 */
import { sql } from 'kysely';
import { kasseActor } from '../src/core/operators/audit.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/clock.ts';
import { createMerchant, createSalesUnit } from '../src/core/merchants/sales-units.ts';
import { merchantScope } from '../src/core/portal/scope.ts';
import { transactionPage, type TransactionFilterInput } from '../src/core/portal/transactions.ts';
import { inTransaction } from '../src/core/transaction.ts';
import { osloDateOf } from '../src/domain/bank-calendar.ts';
import { DAY_MS } from '../src/domain/clock.ts';
import type { PaymentState } from '../src/domain/payment-states.ts';
import { openAppContext } from '../src/app-context.ts';
import { createDatabase, dropDatabase } from './lib/pg.ts';
import { summarise } from './lib/stats.ts';
import { seededPaymentRow } from '../test/support/seeded-payments.ts';

const BENCH = kasseActor('bench');

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const PAYMENTS = Number(process.env.BENCH_PORTAL_PAYMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_PORTAL_ROUNDS ?? 200);
const SPAN_MS = 90 * DAY_MS;
const END_MS = Date.parse('2026-03-31T12:00:00Z');
const CHUNK = 5_000;
/** Every 50th payment belongs to the second, quieter sales unit. */
const SECOND_UNIT_EVERY = 50;

/** The mix of a real shop: most captured, some refunded, a few failed or left. */
function stateOf(n: number): { state: PaymentState; reserved: number; captured: number; refunded: number; amount: number } {
  const amount = 1_000 + ((n * 7_919) % 250_000);
  const roll = n % 100;
  if (roll < 70) return { state: 'captured', amount, reserved: amount, captured: amount, refunded: roll < 8 ? Math.floor(amount / 2) : 0 };
  if (roll < 80) return { state: 'reserved', amount, reserved: amount, captured: 0, refunded: 0 };
  if (roll < 88) return { state: 'cancelled', amount, reserved: 0, captured: 0, refunded: 0 };
  if (roll < 93) return { state: 'rejected', amount, reserved: 0, captured: 0, refunded: 0 };
  if (roll < 97) return { state: 'failed', amount, reserved: 0, captured: 0, refunded: 0 };
  return { state: 'initiated', amount, reserved: 0, captured: 0, refunded: 0 };
}

const dir = mkdtempSync(join(tmpdir(), 'kasse-portal-bench-'));
const pgName = `kasse_bench_portal_${process.pid}`;
const databaseUrl = dialect === 'sqlite' ? `sqlite:${join(dir, 'bench.db')}` : await createDatabase(pgName);
const clock = new ManualClock(END_MS);
const ctx = await openAppContext({ databaseUrl, clock, onOutboundEnqueued: () => {}, operationListeners: [] });
try {
  const merchant = await createMerchant(ctx, BENCH, { name: 'Bench merchant' });
  const busy = (await createSalesUnit(ctx, BENCH, merchant.id, { name: 'Busy shop', msn: '200001' })).msn;
  const quiet = (await createSalesUnit(ctx, BENCH, merchant.id, { name: 'Quiet shop', msn: '200002' })).msn;
  const loadStart = performance.now();
  for (let from = 0; from < PAYMENTS; from += CHUNK) {
    await inTransaction(ctx, async ({ trx }) => {
      const rows = [];
      for (let n = from; n < Math.min(from + CHUNK, PAYMENTS); n++) {
        const s = stateOf(n);
        const createdAtMs = END_MS - SPAN_MS + Math.floor((n * SPAN_MS) / PAYMENTS);
        rows.push(
          seededPaymentRow({
            msn: n % SECOND_UNIT_EVERY === 0 ? quiet : busy,
            orderId: `order-${n}`,
            state: s.state,
            amountOre: s.amount,
            reservedOre: s.reserved,
            capturedOre: s.captured,
            refundedOre: s.refunded,
            createdAtMs,
            reservedAtMs: s.reserved > 0 ? createdAtMs + 20_000 : null,
            transactionText: 'Bench order',
          }),
        );
      }
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('payment').values(rows.slice(i, i + 500)).execute();
    });
  }
  const loadS = (performance.now() - loadStart) / 1000;
  console.log(`${dialect}: ${PAYMENTS.toLocaleString('en')} payments inserted in ${loadS.toFixed(1)} s`);
  // What PostgreSQL's autovacuum does within a minute of such a load: statistics for the planner and the visibility
  // map that lets an index answer alone. Measuring before it would measure a state no running server stays in.
  if (dialect === 'postgres') await sql`VACUUM (ANALYZE) payment`.execute(ctx.store.db);

  const scope = await merchantScope(ctx, merchant.id);
  const middleDay = osloDateOf(END_MS - SPAN_MS / 2);
  // The cursor half-way down the busy unit's list: the 10 000th page costs what the first does (keyset).
  let deep: string | null = null;
  for (let page = 0, cursor: string | undefined; page < 3; page++) {
    const result = await transactionPage(ctx, scope, { msn: busy }, cursor);
    cursor = result.next ?? undefined;
    deep = result.next;
  }
  const midRow = (await transactionPage(ctx, scope, { msn: busy, to: middleDay })).next;
  const filters: [string, TransactionFilterInput, string | undefined][] = [
    ['all units, first page', {}, undefined],
    ['busy unit, first page', { msn: busy }, undefined],
    ['busy unit, page 4 (keyset)', { msn: busy }, deep ?? undefined],
    ['busy unit, half-way down (keyset)', { msn: busy }, midRow ?? undefined],
    ['status captured', { msn: busy, status: 'captured' }, undefined],
    ['status failed, 100–200 kr', { msn: busy, status: 'failed', minAmount: '100', maxAmount: '200' }, undefined],
    ['amount 2 000–2 010 kr (rare)', { msn: busy, minAmount: '2000', maxAmount: '2010' }, undefined],
    ['amount from 100 kr (wide)', { msn: busy, minAmount: '100' }, undefined],
    ['amount 5 000 kr and more (none)', { msn: busy, minAmount: '5000' }, undefined],
    ['status captured, 5 000 kr and more (none)', { msn: busy, status: 'captured', minAmount: '5000' }, undefined],
    ['one day', { msn: busy, from: middleDay, to: middleDay }, undefined],
    ['orderId', { orderId: `order-${Math.floor(PAYMENTS / 3)}` }, undefined],
    ['all units, status reserved', { status: 'reserved' }, undefined],
  ];
  console.log(`filter                                   rows   p50 ms   p99 ms   max ms   (${ROUNDS} rounds)`);
  for (const [name, filter, cursor] of filters) {
    const times: number[] = [];
    let rows = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      rows = (await transactionPage(ctx, scope, filter, cursor)).rows.length;
      times.push(performance.now() - start);
    }
    const s = summarise(times);
    console.log(`${name.padEnd(38)} ${String(rows).padStart(6)} ${s.p50.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)} ${s.max.toFixed(2).padStart(8)}`);
  }
} finally {
  await ctx.store.close();
  rmSync(dir, { recursive: true, force: true });
  if (dialect === 'postgres') await dropDatabase(pgName);
}
