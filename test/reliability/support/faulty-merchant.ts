/**
 * A merchant callback server on 127.0.0.1 that misbehaves deterministically: how it answers the n-th request to a
 * path is a pure function of (seed, path, n), so a seed replays the same faults whatever the timing. Behaviours:
 *  - ok: 200 at once;              - ok-slowish: 200 after a short delay (well inside the callback timeout);
 *  - error: 500 (or 503);          - slow: answers only after SLOW_MS, far beyond the callback timeout;
 *  - reset: destroys the socket as soon as the request arrived;
 *  - half: 200 and a few bytes of a longer body, then destroys the socket (the merchant did get the callback).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Prng } from './prng.ts';

export type Behaviour = 'ok' | 'ok-slowish' | 'error' | 'slow' | 'reset' | 'half';

export interface FaultyRequest {
  path: string;
  n: number;
  behaviour: Behaviour;
  body: unknown;
}

const SLOW_MS = 1_000;
const SLOWISH_MS = 10;

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class FaultyMerchant {
  readonly requests: FaultyRequest[] = [];
  readonly #perPath = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #server: http.Server;
  url = '';

  constructor(
    private readonly seed: number,
    /** Relative weights of the behaviours. */
    private readonly weights: ReadonlyArray<readonly [number, Behaviour]> = [
      [40, 'ok'],
      [10, 'ok-slowish'],
      [15, 'error'],
      [10, 'slow'],
      [15, 'reset'],
      [10, 'half'],
    ],
  ) {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    // Never close an idle keep-alive connection during a run: a request racing such a close would fail without
    // reaching us, and the per-attempt comparison with Kasse's records would be off by one.
    this.#server.keepAliveTimeout = 10 * 60_000;
  }

  behaviourOf(path: string, n: number): Behaviour {
    return new Prng(hash32(`${this.seed}|${path}|${n}`)).weighted(this.weights);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const n = (this.#perPath.get(path) ?? 0) + 1;
      this.#perPath.set(path, n);
      const behaviour = this.behaviourOf(path, n);
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        /* not JSON */
      }
      this.requests.push({ path, n, behaviour, body });
      const answer = (status: number) => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
      };
      switch (behaviour) {
        case 'ok':
          return answer(200);
        case 'ok-slowish':
          return this.#later(SLOWISH_MS, () => answer(200));
        case 'error':
          return answer(n % 2 === 0 ? 503 : 500);
        case 'slow':
          return this.#later(SLOW_MS, () => answer(200));
        case 'reset':
          req.socket.destroy();
          return;
        case 'half':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
          res.write('{"partial":');
          this.#later(5, () => res.socket?.destroy());
          return;
      }
    });
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
