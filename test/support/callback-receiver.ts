import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  receivedAt: number;
}

export interface Behaviour {
  status?: number;
  delayMs?: number;
  body?: unknown;
}

/**
 * A merchant's server on 127.0.0.1: records every request; `behave` decides status, delay and answer body
 * per request (default: 200 at once).
 */
export class CallbackReceiver {
  readonly requests: ReceivedRequest[] = [];
  behave: (request: ReceivedRequest) => Behaviour = () => ({});
  #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        /* keep the raw text */
      }
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, receivedAt: Date.now() };
      this.requests.push(received);
      // Whoever waits for requests hears of this one as soon as it is recorded (its body read).
      this.#waiters.splice(0).forEach((wake) => wake());
      const { status = 200, delayMs = 0, body: answer = { ok: true } } = this.behave(received);
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  #waiters: Array<() => void> = [];

  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves when the `count`-th request arrives (woken by each arrival, no polling; rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return this.requests;
    return new Promise<ReceivedRequest[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== check);
        reject(new Error(`expected ${count} requests, got ${this.requests.length}`));
      }, timeoutMs);
      const check = (): void => {
        if (this.requests.length < count) {
          this.#waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(this.requests);
      };
      this.#waiters.push(check);
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
