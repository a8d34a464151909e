/**
 * `node --import tsx bench/settlements.ts [sqlite|postgres]` — the settlement job over a busy day: BENCH_SETTLE_CAPTURES
 * captures (1 000 000) spread over BENCH_SETTLE_UNITS sales units (1 000), all on one ledger date, with fees. The
 * bookings are inserted in bulk as the booking listener would write them (the ecomm benchmarks measure capturing
 * itself); then the clock moves past the close and the job is timed: 1 000 ledger-date closes, each writing its
 * report entries (≈2 per capture: the capture and its fee) and one settlement with its ledger entry. Prints wall time,
 * rows written and the process's peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/clock.ts';
import { closeDueLedgerDates } from '../src/core/settlements/close-ledger-dates.ts';
import { createMerchant, createSalesUnit } from '../src/core/merchants/sales-units.ts';
import { cliActor } from '../src/core/operators/audit.ts';
import { inTransaction } from '../src/core/transaction.ts';
import { captureFeeOre } from '../src/domain/settlement.ts';
import { openAppContext } from '../src/app-context.ts';
import { createDatabase, dropDatabase } from './lib/pg.ts';

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const UNITS = Number(process.env.BENCH_SETTLE_UNITS ?? 1_000);
const CAPTURES = Number(process.env.BENCH_SETTLE_CAPTURES ?? 1_000_000);
const DAY_START_MS = Date.parse('2026-03-02T07:00:00Z'); // Monday 08:00 Oslo
const CLOSED_MS = Date.parse('2026-03-03T06:00:00Z'); // Tuesday 07:00 Oslo, after the 06:00 close
const CHUNK = 2_000;
const BENCH_ACTOR = cliActor('bench');

const dir = mkdtempSync(join(tmpdir(), 'kasse-settle-bench-'));
const pgName = `kasse_bench_settle_${process.pid}`;
const databaseUrl = dialect === 'sqlite' ? `sqlite:${join(dir, 'bench.db')}` : await createDatabase(pgName);
const clock = new ManualClock(DAY_START_MS);
const ctx = await openAppContext({ databaseUrl, clock, onOutboundEnqueued: () => {}, operationListeners: [] });
try {
  const merchant = await createMerchant(ctx, BENCH_ACTOR, { name: 'Bench merchant' });
  const units: string[] = [];
  for (let i = 0; i < UNITS; i++) {
    const unit = await createSalesUnit(ctx, BENCH_ACTOR, merchant.id, { name: `Unit ${i}`, msn: String(100_000 + i), settlement: { feeBasisPoints: 175, feeFixedOre: 100 } });
    units.push(unit.msn);
  }
  const loadStart = performance.now();
  for (let from = 0; from < CAPTURES; from += CHUNK) {
    await inTransaction(ctx, async ({ trx }) => {
      const rows = [];
      for (let n = from; n < Math.min(from + CHUNK, CAPTURES); n++) {
        const amountOre = 1_000 + (n % 97) * 113;
        rows.push({
          msn: units[n % UNITS]!,
          operation_id: n + 1,
          payment_id: n + 1,
          order_id: `bench-${n}`,
          kind: 'capture' as const,
          amount_ore: amountOre,
          fee_ore: captureFeeOre(amountOre, 175, 100),
          ledger_date: '2026-03-02',
          booked_at_ms: DAY_START_MS + Math.floor((n * 43_000_000) / CAPTURES),
        });
      }
      for (let i = 0; i < rows.length; i += 1_000) await trx.insertInto('settlement_booking').values(rows.slice(i, i + 1_000)).execute();
    });
  }
  const loadMs = performance.now() - loadStart;

  clock.advance(CLOSED_MS - DAY_START_MS);
  const settleStart = performance.now();
  const cpuStart = process.cpuUsage();
  const closed = await closeDueLedgerDates(ctx);
  const settleMs = performance.now() - settleStart;
  // This process's CPU time over the job: on a shared machine a steadier measure of its own work than the wall time
  // (SQLite runs in this process; PostgreSQL's share is the server's and not in it).
  const cpu = process.cpuUsage(cpuStart);
  const entries = await ctx.store.db.selectFrom('report_entry').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  const settlements = await ctx.store.db.selectFrom('settlement').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  console.log(
    JSON.stringify(
      {
        dialect,
        units: UNITS,
        captures: CAPTURES,
        loadBookingsMs: Math.round(loadMs),
        settleMs: Math.round(settleMs),
        settleCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        ledgerDatesClosed: closed,
        settlements: Number(settlements.n),
        reportEntries: Number(entries.n),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        target: dialect === 'sqlite' ? (settleMs < 20_000 ? 'PASS (< 20 s)' : 'MISS (< 20 s)') : 'stated',
      },
      null,
      2,
    ),
  );
} finally {
  await ctx.store.close();
  if (dialect === 'postgres') await dropDatabase(pgName);
  rmSync(dir, { recursive: true, force: true });
}
