/** The benchmark's helper processes: the baseline server, the callback receiver and the load client. */
import { join } from 'node:path';
import type { LoadConfig, LoadResult } from '../load/client.ts';
import { json } from './http.ts';
import { ROOT } from './kasse.ts';
import { collect, lineWith, start, stop, type Started } from './proc.ts';

export interface HelperServer {
  port: number;
  baseUrl: string;
  pid: number | undefined;
  started: Started;
  stop(): Promise<void>;
}

async function helperServer(script: string, config: unknown): Promise<HelperServer> {
  const started = start(process.execPath, ['--import', 'tsx', join(ROOT, script), JSON.stringify(config)], { cwd: ROOT, stderr: 'ignore' });
  const { port } = await lineWith<{ port: number }>(started, 'READY ', 60_000);
  return { port, baseUrl: `http://127.0.0.1:${port}`, pid: started.child.pid, started, stop: () => stop(started) };
}

export function startBaseline(config: { getBytes: number; postBytes: number }): Promise<HelperServer> {
  return helperServer('bench/servers/baseline.ts', config);
}

export interface Receiver extends HelperServer {
  /** Arrivals since the last call ([orderId, ms since the epoch]), and forget them. */
  takeArrivals(): Promise<Array<[string, number]>>;
  count(): Promise<number>;
}

export async function startReceiver(): Promise<Receiver> {
  const server = await helperServer('bench/servers/receiver.ts', {});
  return {
    ...server,
    takeArrivals: async () => (await json<Array<[string, number]>>(server.baseUrl, 'GET', '/__arrivals')).body,
    count: async () => (await json<{ count: number }>(server.baseUrl, 'GET', '/__count')).body.count,
  };
}

export interface LoadHooks {
  /** The measured window began (after warmup): start meters now. */
  onWindowStart?(pid: number | undefined): void;
  /** The measured window ended: read meters now. */
  onWindowEnd?(): void;
}

/**
 * Runs the load client to completion, bounded (killed after its duration plus `graceMs`). The client prints
 * WINDOW_START / WINDOW_END as its measured window opens and closes, so CPU meters cover the same interval.
 */
export async function runLoad(config: LoadConfig, hooks: LoadHooks = {}, graceMs = 120_000): Promise<LoadResult> {
  const started = start(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load/client.ts'), JSON.stringify(config)], { cwd: ROOT });
  const stderr = collect(started.child.stderr, 100_000);
  const limitMs = config.warmupMs + config.durationMs + graceMs;
  const timer = setTimeout(() => void stop(started, 1_000), limitMs);
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      let buffer = '';
      let received = 0;
      started.child.stdout?.setEncoding('utf8');
      started.child.stdout?.on('data', (chunk: string) => {
        received += chunk.length;
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === 'WINDOW_START') hooks.onWindowStart?.(started.child.pid);
          else if (line === 'WINDOW_END') hooks.onWindowEnd?.();
          else if (line.startsWith('RESULT ')) resolve(JSON.parse(line.slice('RESULT '.length)) as LoadResult);
        }
      });
      // 'close' of stdout, not 'exit' of the process: the last lines may still be in the pipe when it exits.
      started.child.stdout?.on('close', () => {
        void started.exited.then(({ code, signal }) =>
          reject(new Error(`load client exited (${code ?? signal}) without a result (${received} chars on stdout, unparsed: ${JSON.stringify(buffer.slice(0, 300))}): ${stderr.text().slice(-2000)}`)),
        );
      });
    });
  } finally {
    clearTimeout(timer);
    await stop(started, 2_000);
  }
}
