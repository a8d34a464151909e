/**
 * wrk (Debian package `wrk`): a C load generator, far cheaper per request than anything in Node. Runs it for
 * a bounded time, reads the WRKJSON line our Lua scripts print, and measures wrk's own CPU use (the shell
 * wrapper reads its reaped child's CPU time from /proc, so the generator's cost is an exact figure).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { collect, start, stop } from './proc.ts';

export interface WrkResult {
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Cores wrk used while running (1.0 = one core). */
  cpuCores: number | null;
}

export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // `wrk --version` prints its usage and exits 1: it is there.
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

/** Installs wrk from the Debian archive when it is missing and we may (root, apt-get present). */
export function ensureWrk(log: (line: string) => void): boolean {
  if (wrkAvailable()) return true;
  if (process.env.BENCH_NO_INSTALL === '1' || process.getuid?.() !== 0) return false;
  log('wrk is not installed: apt-get install -y wrk');
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { stdio: 'ignore', timeout: 180_000 });
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 180_000 });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { stdio: 'ignore', timeout: 180_000 });
    } catch {
      return false;
    }
  }
  return wrkAvailable();
}

export async function runWrk(args: {
  url: string;
  script: string;
  scriptArgs?: string[];
  connections: number;
  threads?: number;
  durationS: number;
  headers?: Record<string, string>;
  luaDir: string;
}): Promise<WrkResult> {
  const wrkArgs = [
    `-t${args.threads ?? 1}`,
    `-c${args.connections}`,
    `-d${args.durationS}s`,
    '--timeout',
    '10s',
    '-s',
    join(args.luaDir, args.script),
    ...Object.entries(args.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    args.url,
    ...(args.scriptArgs && args.scriptArgs.length > 0 ? ['--', ...args.scriptArgs] : []),
  ];
  // "$$" is the shell; once wrk has been reaped its CPU time is in the shell's cutime/cstime (fields 16, 17).
  const wrapper = 'wrk "$@"; status=$?; echo "WRKCPU $(cut -d" " -f16,17 /proc/$$/stat)"; exit $status';
  const started = start('sh', ['-c', wrapper, 'sh', ...wrkArgs], { env: { ...process.env, BENCH_LUA_DIR: args.luaDir } });
  const out = collect(started.child.stdout);
  const err = collect(started.child.stderr);
  const timer = setTimeout(() => void stop(started, 1_000), (args.durationS + 30) * 1000);
  const { code } = await started.exited;
  clearTimeout(timer);
  const text = out.text();
  const line = text.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${err.text().slice(0, 500)} ${text.slice(0, 500)}`);
  const raw = JSON.parse(line.slice('WRKJSON '.length)) as {
    requests: number;
    duration_us: number;
    errors: WrkResult['errors'];
    latency_us: { p50: number; p90: number; p99: number; max: number; mean: number };
  };
  const cpuLine = text.split('\n').find((l) => l.startsWith('WRKCPU '));
  const ticks = cpuLine?.slice('WRKCPU '.length).trim().split(' ').map(Number) ?? [];
  const cpuMs = ticks.length === 2 && ticks.every(Number.isFinite) ? ((ticks[0]! + ticks[1]!) * 1000) / 100 : null;
  const durationMs = raw.duration_us / 1000;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    requests: raw.requests,
    durationMs,
    requestsPerSecond: Math.round((raw.requests / durationMs) * 1000),
    errors: raw.errors,
    latencyMs: { p50: ms(raw.latency_us.p50), p90: ms(raw.latency_us.p90), p99: ms(raw.latency_us.p99), max: ms(raw.latency_us.max), mean: ms(raw.latency_us.mean) },
    cpuCores: cpuMs === null ? null : Math.round((cpuMs / durationMs) * 100) / 100,
  };
}
