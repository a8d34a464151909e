/**
 * Analysis aid next to `npm run bench`: latency of GET /details under paced (open-loop) load at fixed rates, for
 * Kasse and for the bare baseline server, with the CPU each server used per request. The benchmark reports p99 at
 * half the closed-loop peak only; this shows the whole curve, and where open-loop arrivals reach the server's
 * capacity (which is lower than the closed-loop peak: see bench/README.md).
 *
 *   node --import tsx bench/latency-curve.ts [rates=250,500,1000,1500,2000] [seconds=5]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad, startBaseline, type HelperServer } from './lib/children.ts';
import { ROOT, authHeaders, capturedPayment, createMerchant, createUsers, startKasse, type KasseProcess } from './lib/kasse.ts';
import { json } from './lib/http.ts';
import { CpuMeter } from './lib/proc.ts';

const rates = (process.argv[2] ?? '250,500,1000,1500,2000').split(',').map(Number);
const durationMs = Number(process.argv[3] ?? 5) * 1000;
const dbPath = join(ROOT, 'bench/.tmp', `latency-curve-${process.pid}.sqlite`);

let kasse: KasseProcess | null = null;
let baseline: HelperServer | null = null;
try {
  kasse = await startKasse({ name: 'kasse', databaseUrl: `sqlite:${dbPath}`, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const merchant = await createMerchant(kasse.baseUrl);
  const [phone] = await createUsers(kasse.baseUrl, 1);
  const orderId = `curve${process.pid}`;
  await capturedPayment(kasse.baseUrl, merchant, phone!, orderId);
  const sample = await json(kasse.baseUrl, 'GET', `/ecomm/v2/payments/${orderId}/details`, { headers: authHeaders(merchant) });
  baseline = await startBaseline({ getBytes: Buffer.byteLength(sample.text), postBytes: 150 });

  console.log(`GET /details, paced, ${durationMs / 1000} s per rate after 1 s of warm-up`);
  console.log('server     rate/s   p50 ms   p99 ms   max ms  late  dropped  server CPU ms/request');
  for (const server of [{ name: 'kasse', port: kasse.port, pid: kasse.pid }, { name: 'baseline', port: baseline.port, pid: baseline.pid }]) {
    for (const rate of rates) {
      let meter: CpuMeter | null = null;
      let serverCores: number | null = null;
      const result = await runLoad(
        {
          targets: [{ host: '127.0.0.1', port: server.port }],
          token: merchant.token,
          subscriptionKey: merchant.subscriptionKey,
          msn: merchant.msn,
          phones: [phone!],
          callbackPrefix: '',
          orderPrefix: `curve${rate}-`,
          amountOre: 1000,
          steps: ['details'],
          fixedOrderId: orderId,
          mode: 'paced',
          rate,
          concurrency: 512,
          warmupMs: 1_000,
          durationMs,
        },
        {
          onWindowStart: () => void (meter = new CpuMeter({ server: server.pid }).begin()),
          onWindowEnd: () => void (serverCores = meter?.end().processes.server ?? null),
        },
      );
      const s = result.steps.details!;
      const cpuPerRequestMs = serverCores === null ? '—' : ((serverCores * 1000) / result.callsPerSecond).toFixed(3);
      console.log(
        `${server.name.padEnd(9)} ${String(rate).padStart(7)} ${s.p50.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)} ${s.max.toFixed(1).padStart(8)} ${String(result.late).padStart(5)} ${String(result.dropped).padStart(8)}  ${cpuPerRequestMs}`,
      );
    }
  }
} finally {
  await kasse?.stop();
  await baseline?.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
}
