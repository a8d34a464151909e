/**
 * Analysis aid (not a benchmark): how long the sandbox clock takes to move far ahead, which is mostly closing every
 * sales unit's ledger dates on the way (core/settlements/close-ledger-dates.ts). Creates `units` sandbox merchants
 * with no sales, moves a fake clock `days` ahead and times the drain that `POST /_kasse/sandbox/clock` awaits.
 *
 *   node --import tsx bench/time-travel.ts [units=20] [days=366] [sqlite:<path> | postgres://…/<an empty database>]
 *
 * The default database is on tmpfs (/dev/shm): CPU only, no disk waits.
 */
import { rmSync } from 'node:fs';
import { ManualClock } from '../src/clock.ts';
import { SANDBOX_ACTOR } from '../src/core/operators/audit.ts';
import { createSandboxMerchant } from '../src/core/sandbox/sandbox-merchants.ts';
import { createKasse } from '../src/kasse.ts';

const DAY_MS = 86_400_000;
const units = Number(process.argv[2] ?? 20);
const days = Number(process.argv[3] ?? 366);
const dbPath = `/dev/shm/kasse-time-travel-${process.pid}.sqlite`;
const databaseUrl = process.argv[4] ?? `sqlite:${dbPath}`;

const clock = new ManualClock(Date.parse('2026-01-05T10:00:00.000Z'));
const kasse = await createKasse({
  databaseUrl,
  clock,
  timeTravel: { advance: async (ms) => clock.advance(ms), backToRealTime: async () => clock.resetOffset() },
  logger: false,
  startJobs: false,
});
try {
  for (let i = 0; i < units; i++) await createSandboxMerchant(kasse.ctx, SANDBOX_ACTOR, { rateLimits: false });
  clock.advance(days * DAY_MS);
  const startedMs = performance.now();
  await kasse.jobs.drain();
  const tookMs = performance.now() - startedMs;
  console.log(
    `${kasse.store.kind}: ${units} sales units, ${days} days: ${tookMs.toFixed(0)} ms, ${((tookMs / (units * days)) * 1000).toFixed(0)} µs per unit and date`,
  );
} finally {
  await kasse.close();
  if (!process.argv[4]) rmSync(dbPath, { force: true });
}
