/**
 * The load processes' HTTP/1.1 client (`Client`): keep-alive connections on plain sockets, one request at a time on
 * each, the request written as one string and the answer read by its Content-Length (or its chunks). The generator
 * shares the machine's cores with the server it measures, so every microsecond it spends is one the server does not
 * get: node:http's client (an agent, a ClientRequest, an IncomingMessage and their streams per call) cost it 141–152 µs
 * of CPU per call against the baseline server, this 33–37 µs (bench/README.md, session 17). It is the part of a
 * wrk-like client a load process needs: no redirects, upgrades, request streaming or pipelining.
 * `json` is the orchestrator's, for setup and control calls, through fetch.
 */
import { connect, type Socket } from 'node:net';

export interface Reply {
  status: number;
  text: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  label: string;
  timer: NodeJS.Timeout;
}

/** One keep-alive connection: a request written, its answer parsed, then the next. */
class Connection {
  readonly socket: Socket;
  #pending: Pending | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;
  /** The server said it closes the connection after this answer: no request is sent on it any more. */
  #ending = false;

  constructor(host: string, port: number, onClose: (connection: Connection) => void) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const closed = (error?: Error) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#fail(error ?? new Error('the server closed the connection'));
      onClose(this);
    };
    this.socket.on('error', closed);
    this.socket.on('close', () => closed());
  }

  get usable(): boolean {
    return !this.#closed && !this.#ending;
  }

  send(request: string, label: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.socket.destroy(new Error(`${label}: no answer in 30 s`)), 30_000);
      this.#pending = { resolve, reject, label, timer };
      this.socket.write(request);
    });
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) return;
    clearTimeout(pending.timer);
    pending.reject(new Error(`${pending.label}: ${error.message}`));
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd === -1) return;
    const head = this.#buffer.toString('latin1', 0, headerEnd);
    const bodyStart = headerEnd + 4;
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let text: string;
    let consumed: number;
    if (length !== null) {
      consumed = bodyStart + Number(length[1]);
      if (this.#buffer.length < consumed) return;
      text = this.#buffer.toString('utf8', bodyStart, consumed);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const chunked = readChunked(this.#buffer, bodyStart);
      if (chunked === null) return;
      ({ text, consumed } = chunked);
    } else {
      this.socket.destroy(new Error(`an answer with neither Content-Length nor chunks (status ${status})`));
      return;
    }
    const rest = this.#buffer.subarray(consumed);
    this.#buffer = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) {
      this.socket.destroy(new Error('an answer to no request'));
      return;
    }
    clearTimeout(pending.timer);
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.#ending = true;
      this.socket.end();
    }
    pending.resolve({ status, text });
  }
}

/** A chunked body from `start`: its text and where it ends, or null while incomplete. */
function readChunked(buffer: Buffer, start: number): { text: string; consumed: number } | null {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd === -1) return null;
    const size = parseInt(buffer.toString('latin1', offset, lineEnd), 16);
    const dataStart = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = buffer.indexOf(HEADER_END, lineEnd);
      if (trailerEnd === -1) return null;
      return { text: Buffer.concat(parts).toString('utf8'), consumed: trailerEnd + 4 };
    }
    if (buffer.length < dataStart + size + 2) return null;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

/** Keep-alive connections to one server, at most `maxConnections`, each used by one request at a time. */
export class Client {
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: Array<(connection: Connection) => void> = [];
  readonly #hostHeader: string;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly maxConnections: number,
  ) {
    this.#hostHeader = `${host}:${port}`;
  }

  async request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    const request = body === undefined ? `${head}\r\n` : `${head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const connection = await this.#take();
    try {
      return await connection.send(request, `${method} ${path}`);
    } finally {
      this.#give(connection);
    }
  }

  close(): void {
    for (const connection of this.#all) connection.socket.destroy();
  }

  #take(): Promise<Connection> | Connection {
    while (this.#idle.length > 0) {
      const connection = this.#idle.pop()!;
      if (connection.usable) return connection;
    }
    if (this.#all.size < this.maxConnections) {
      return this.#open();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #open(): Connection {
    const connection = new Connection(this.host, this.port, (closed) => {
      this.#all.delete(closed);
      // A request waiting for a connection gets a new one in place of the closed one.
      const next = this.#waiting.shift();
      if (next) next(this.#open());
    });
    this.#all.add(connection);
    return connection;
  }

  #give(connection: Connection): void {
    if (!connection.usable) return;
    const next = this.#waiting.shift();
    if (next) next(connection);
    else this.#idle.push(connection);
  }
}

/** One request from the orchestrator (setup and control calls), JSON both ways. */
export async function json<T = any>(baseUrl: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body: body as T, text };
}
