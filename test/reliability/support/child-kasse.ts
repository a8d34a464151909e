/**
 * Kasse as a real child process (`node --import tsx src/main.ts`), for the reliability tests: start it on a
 * database, wait until it is ready, SIGKILL it at any moment, start it again on the same database and port.
 *
 * No child may outlive its test. Three layers see to that:
 *  1. tests stop their children in `after` hooks (`stopAllChildren()` is the catch-all);
 *  2. this module kills every live child's process group on `exit` and on SIGINT/SIGTERM/SIGHUP of the test process;
 *  3. each child preloads parent-watchdog.mjs, which kills the child when its stdin pipe from the test process closes —
 *     that covers a test process that was itself SIGKILLed.
 * Children run in their own process group (detached), so a kill reaches anything they might spawn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WATCHDOG = new URL('./parent-watchdog.mjs', import.meta.url).href;
export const CHILD_ADMIN_TOKEN = 'reliability-admin-token';

const OUTPUT_LINES = 400;
const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 10_000;

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* the group is gone already */
  }
  try {
    child.kill('SIGKILL');
  } catch {
    /* gone */
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of live) killGroup(child);
      // Our handler is gone now (once): re-raise, so the default action ends the test process as it would have.
      process.kill(process.pid, signal);
    });
  }
}

/**
 * A port nobody listens on right now, kept for the child's life and its restarts. Chosen below the kernel's ephemeral
 * range: a port taken from that range (as `listen(0)` would) can be handed to another test's outgoing connection or
 * `:0` server between our check and the child's listen, and the child then dies with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralRangeStart();
  if (ephemeralLow !== null && ephemeralLow > MIN_CHOSEN_PORT + 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = MIN_CHOSEN_PORT + Math.floor(Math.random() * (ephemeralLow - MIN_CHOSEN_PORT));
      if (await canListen(port)) return port;
    }
  }
  return listenOnce(0);
}

const MIN_CHOSEN_PORT = 10_000;

function ephemeralRangeStart(): number | null {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : null;
  } catch {
    return null;
  }
}

async function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

/** Listen on loopback at `port` (0: the kernel picks), read the port, let it go. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (bound > 0 ? resolve(bound) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/_kasse/health`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export interface ChildKasseOptions {
  databaseUrl: string;
  /** Default: a free port, kept across restarts so that clients keep one base URL. */
  port?: number;
  /** A name for messages (several children in one test). */
  name?: string;
  /** KASSE_JOB_POLL_MS; default 100. */
  jobPollMs?: number;
  env?: Record<string, string>;
}

export class ChildKasse {
  readonly name: string;
  readonly baseUrl: string;
  /** How many times this child was started, killed with SIGKILL, and how long each start took until ready. */
  starts = 0;
  kills = 0;
  readonly startDurationsMs: number[] = [];
  /** Wall-clock times (Date.now()) of each start: spawned, ready, and ended (undefined while it runs). */
  readonly lifetimes: Array<{ spawnedAt: number; readyAt?: number; endedAt?: number }> = [];
  /** How the last start ended (null while it runs or before the first start). */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];
  #bannerSeen = false;

  private constructor(
    readonly port: number,
    private readonly options: ChildKasseOptions,
  ) {
    this.name = options.name ?? `kasse:${port}`;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Start a child and wait until it is ready. */
  static async start(options: ChildKasseOptions): Promise<ChildKasse> {
    const child = new ChildKasse(options.port ?? (await freePort()), options);
    await child.start();
    return child;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The last lines the child wrote (stdout and stderr), for failure messages. */
  output(): string {
    return this.#output.join('\n');
  }

  #record(prefix: string, chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (line.includes('listening on http://')) this.#bannerSeen = true;
      this.#output.push(`${prefix} ${line}`);
    }
    if (this.#output.length > OUTPUT_LINES) this.#output.splice(0, this.#output.length - OUTPUT_LINES);
  }

  /**
   * Spawn `node --import tsx src/main.ts` (with `extraEnv` over the options' env, for this start only) and wait for readiness: the banner (printed after listen and the demo merchant,
   * so no start-up writes are still running) and GET /_kasse/health = 200. Bounded; the child's output is in the error.
   */
  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.#child) throw new Error(`${this.name} is already running`);
    installHooks();
    const env: NodeJS.ProcessEnv = { ...process.env };
    // A child is a server, not part of the test run.
    delete env.NODE_TEST_CONTEXT;
    Object.assign(env, {
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: this.baseUrl,
      DATABASE_URL: this.options.databaseUrl,
      KASSE_MODE: 'sandbox',
      KASSE_ADMIN_TOKEN: CHILD_ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      KASSE_JOB_POLL_MS: String(this.options.jobPollMs ?? 100),
      ...this.options.env,
      ...extraEnv,
    });
    const started = performance.now();
    const lifetime: { spawnedAt: number; readyAt?: number; endedAt?: number } = { spawnedAt: Date.now() };
    this.lifetimes.push(lifetime);
    this.#bannerSeen = false;
    this.lastExit = null;
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', WATCHDOG, 'src/main.ts'], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child = child;
    live.add(child);
    this.starts++;
    let exitInfo: string | null = null;
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exit code ${code} signal ${signal}`;
        this.lastExit = { code, signal };
        lifetime.endedAt = Date.now();
        live.delete(child);
        if (this.#child === child) this.#child = null;
        resolve();
      });
      child.once('error', (error) => {
        exitInfo = `spawn error ${error.message}`;
        live.delete(child);
        if (this.#child === child) this.#child = null;
        resolve();
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => this.#record('out|', chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#record('err|', chunk));
    child.stdin?.on('error', () => {});

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exitInfo !== null) throw new Error(`${this.name} ended while starting (${exitInfo}):\n${this.output()}`);
      if (this.#bannerSeen && (await healthy(this.baseUrl))) {
        this.startDurationsMs.push(Math.round(performance.now() - started));
        lifetime.readyAt = Date.now();
        return;
      }
      await sleep(25);
    }
    await this.kill();
    throw new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${this.output()}`);
  }

  /** True once the child has exited (by itself or killed); false if it is still running after `timeoutMs`. */
  async exitedWithin(timeoutMs: number): Promise<boolean> {
    return Promise.race([this.#exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  /** SIGKILL the whole process group: no shutdown code runs, in-flight requests and transactions are cut off. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.kills++;
    killGroup(child);
    await this.#waitForExit(child);
  }

  /** SIGKILL, then start again on the same database and port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** A graceful stop (SIGTERM, bounded), SIGKILL if it does not go in time. Safe to call when not running. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    if (!(await this.exitedWithin(EXIT_TIMEOUT_MS))) {
      killGroup(child);
      await this.#waitForExit(child);
    }
  }

  async #waitForExit(child: ChildProcess): Promise<void> {
    if (!(await this.exitedWithin(EXIT_TIMEOUT_MS))) throw new Error(`${this.name} (pid ${child.pid}) did not exit after SIGKILL`);
  }
}

/** Kill every child this process started and has not seen exit (the catch-all for `after` hooks). */
export async function stopAllChildren(): Promise<void> {
  const children = [...live];
  for (const child of children) killGroup(child);
  const deadline = Date.now() + EXIT_TIMEOUT_MS;
  while (live.size > 0 && Date.now() < deadline) await sleep(20);
}

/** How many children are alive right now (tests assert 0 at the end). */
export function liveChildren(): number {
  return live.size;
}
