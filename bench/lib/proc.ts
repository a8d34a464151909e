/**
 * Child processes of the benchmark: every one is started in its own process group and tracked, so that a
 * finished, failed or interrupted run kills servers, load generators and whatever they started (tsx's
 * esbuild service, wrk) — never anything else.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Synchronous last resort on exit: SIGKILL every group we started that is still alive. */
export function killAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}

export interface Started {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function start(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore' | string; stderr?: 'pipe' | 'ignore' | string } = {},
): Started {
  installExitHandlers();
  const target = (value: 'pipe' | 'ignore' | string | undefined) =>
    value === undefined || value === 'pipe' ? 'pipe' : value === 'ignore' ? 'ignore' : openSync(value, 'a');
  const stdio: StdioOptions = ['ignore', target(options.stdout), target(options.stderr)];
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio, detached: true });
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', () => {
      live.delete(child);
      resolve({ code: -1, signal: null });
    });
  });
  return { child, exited };
}

/** SIGTERM (a graceful stop: Kasse closes its store, node writes --cpu-prof), SIGKILL after `graceMs`. */
export async function stop(started: Started, graceMs = 5_000): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await started.exited;
  clearTimeout(timer);
  // The leader is gone; make sure nothing it started lingers in its group.
  killGroup(child, 'SIGKILL');
}

/** Collects a piped stream as text (bounded, so a chatty process cannot exhaust memory). */
export function collect(stream: NodeJS.ReadableStream | null, maxChars = 4_000_000): { text: () => string } {
  let text = '';
  stream?.setEncoding?.('utf8');
  stream?.on('data', (chunk: string) => {
    if (text.length < maxChars) text += chunk;
  });
  return { text: () => text };
}

/** Waits for a line starting with `prefix` on a piped stdout and parses the JSON after it. */
export function lineWith<T>(started: Started, prefix: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no "${prefix}" line within ${timeoutMs} ms`)), timeoutMs);
    started.child.stdout?.setEncoding('utf8');
    started.child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith(prefix)) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(prefix.length)) as T);
        }
      }
    });
    void started.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code ?? signal}) before printing "${prefix}"`));
    });
  });
}

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** CPU time (user + system) a live process has used so far, in ms; null when /proc is unavailable. */
export function cpuTimeMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Whole-machine CPU counters from /proc/stat (ms summed over all cores). */
export function machineCpu(): { busyMs: number; totalMs: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
    const busy = user + nice + system + irq + softirq + steal;
    return { busyMs: (busy * 1000) / TICKS_PER_SECOND, totalMs: ((busy + idle + iowait) * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/**
 * Measures CPU use over an interval: of each named process, and of the whole machine. "other" is what the
 * rest of the machine (other users' work) took meanwhile — the figure that says how noisy a measurement was.
 */
export class CpuMeter {
  readonly #pids: Map<string, number | undefined>;
  #start = new Map<string, number | null>();
  #machine: { busyMs: number; totalMs: number } | null = null;
  #t0 = 0;

  constructor(pids: Record<string, number | undefined>) {
    this.#pids = new Map(Object.entries(pids));
  }

  begin(): this {
    this.#t0 = performance.now();
    this.#machine = machineCpu();
    for (const [name, pid] of this.#pids) this.#start.set(name, cpuTimeMs(pid));
    return this;
  }

  /** Per process: cores used (1.0 = one core busy all the time); plus machine-wide busy cores and "other". */
  end(extra: Record<string, number> = {}): CpuReport {
    const wallMs = performance.now() - this.#t0;
    const processes: Record<string, number> = {};
    let ours = 0;
    for (const [name, pid] of this.#pids) {
      const before = this.#start.get(name);
      const after = cpuTimeMs(pid);
      if (before == null || after === null) continue;
      processes[name] = round2((after - before) / wallMs);
      ours += after - before;
    }
    for (const [name, cpuMs] of Object.entries(extra)) {
      processes[name] = round2(cpuMs / wallMs);
      ours += cpuMs;
    }
    const machineNow = machineCpu();
    const machine = this.#machine && machineNow ? round2((machineNow.busyMs - this.#machine.busyMs) / wallMs) : null;
    return { wallMs: Math.round(wallMs), processes, machineBusyCores: machine, otherCores: machine === null ? null : round2(Math.max(0, machine - ours / wallMs)) };
  }
}

export interface CpuReport {
  wallMs: number;
  processes: Record<string, number>;
  machineBusyCores: number | null;
  otherCores: number | null;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
