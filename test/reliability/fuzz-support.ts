// Goal: what the reliability suites share — raw HTTP on the wire (node:http and plain sockets), payments seeded in every state, and snapshots that prove nothing changed.
import http from 'node:http';
import net from 'node:net';
import type { TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

// ─── Sizes ───

/** `RELIABILITY=full` runs the large form (e.g. 100,000 fuzz requests); plain `npm test` runs the reduced one. */
export const FULL = process.env.RELIABILITY === 'full';

/** An integer from the environment, or the default; anything else is a mistake worth stopping for. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

// ─── The wire ───

export interface WireRequest {
  method: string;
  /** Exactly as it goes on the request line (already percent-encoded, or deliberately not). */
  path: string;
  /** In order; duplicates allowed. A Host header is added when none is given (unless `raw` says otherwise). */
  headers: Array<[string, string]>;
  body: Buffer | null;
  /** Send these exact bytes on a fresh socket instead of going through node:http (for what node:http refuses to send). */
  raw: Buffer | null;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
  jsonOk: boolean;
}

const RESPONSE_TIMEOUT_MS = 15_000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function parseJson(text: string): { json: unknown; jsonOk: boolean } {
  if (text === '') return { json: undefined, jsonOk: false };
  try {
    return { json: JSON.parse(text), jsonOk: true };
  } catch {
    return { json: undefined, jsonOk: false };
  }
}

/**
 * One keep-alive connection, reused request after request (a fresh TCP connection per request would run the
 * machine out of ephemeral ports at 100,000 requests).
 */
export class WireClient {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    if (host !== '127.0.0.1') throw new Error('reliability traffic goes to 127.0.0.1 only');
  }

  static of(kasse: TestKasse): WireClient {
    const url = new URL(kasse.baseUrl);
    return new WireClient(url.hostname, Number(url.port));
  }

  close(): void {
    this.#agent.destroy();
  }

  send(request: WireRequest): Promise<WireResponse> {
    return request.raw ? this.#sendRaw(request.raw) : this.#sendHttp(request, true);
  }

  #sendHttp(request: WireRequest, mayRetry: boolean): Promise<WireResponse> {
    return new Promise<WireResponse>((resolve, reject) => {
      const headers: string[] = [];
      if (!request.headers.some(([name]) => name.toLowerCase() === 'host')) headers.push('Host', `${this.host}:${this.port}`);
      for (const [name, value] of request.headers) headers.push(name, value);
      const framed = request.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
      if (request.body !== null && !framed) headers.push('Content-Length', String(request.body.length));
      const req = http.request({
        agent: this.#agent,
        host: this.host,
        port: this.port,
        method: request.method,
        path: request.path,
        headers: headers as unknown as http.OutgoingHttpHeaders,
        timeout: RESPONSE_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${RESPONSE_TIMEOUT_MS} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The documented keep-alive race: the server closed an idle socket as we reused it. Nothing was processed.
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET') {
          this.#sendHttp(request, false).then(resolve, reject);
          return;
        }
        reject(error);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
          resolve({ status: res.statusCode ?? 0, headers: flat, text, ...parseJson(text) });
        });
      });
      req.end(request.body ?? undefined);
    });
  }

  #sendRaw(bytes: Buffer): Promise<WireResponse> {
    return new Promise<WireResponse>((resolve, reject) => {
      const socket = net.connect(this.port, this.host, () => socket.write(bytes));
      const chunks: Buffer[] = [];
      socket.setTimeout(RESPONSE_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${RESPONSE_TIMEOUT_MS} ms`)));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // The server may reset after answering a request it could not parse; what it answered still counts.
        if (error.code === 'ECONNRESET' && chunks.length > 0) return;
        reject(error);
      });
      socket.on('close', () => {
        try {
          resolve(parseRawResponse(Buffer.concat(chunks)));
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}

/** The first response in the bytes (status line, headers, Content-Length or chunked body). */
export function parseRawResponse(data: Buffer): WireResponse {
  // Interim 1xx answers (100 Continue) come first; the response is what follows them.
  for (let guard = 0; guard < 10 && /^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1')); guard++) {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) break;
    data = data.subarray(end + 4);
  }
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`no HTTP response (got ${data.length} bytes: ${JSON.stringify(data.toString('latin1').slice(0, 200))})`);
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    for (let offset = 0, guard = 0; guard < 10_000; guard++) {
      const lineEnd = body.indexOf('\r\n', offset);
      if (lineEnd < 0) break;
      const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size) || size === 0) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  const text = body.toString('utf8');
  return { status: Number(match[1]), headers, text, ...parseJson(text) };
}

// ─── Response shapes ───

export const ERROR_GROUPS = new Set(['Authentication', 'Payment', 'InvalidRequest', 'VippsError', 'User', 'Merchant']);

/** Why this is not exactly one Vipps error `[{errorGroup, errorCode, errorMessage, contextId}]`, or null when it is. */
export function notAVippsError(body: unknown): string | null {
  if (!Array.isArray(body)) return 'not an array';
  if (body.length !== 1) return `array of ${body.length}`;
  const item: unknown = body[0];
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'item is not an object';
  const record = item as Record<string, unknown>;
  for (const key of ['errorGroup', 'errorCode', 'errorMessage', 'contextId']) {
    if (typeof record[key] !== 'string') return `${key} is not a string`;
  }
  if (!ERROR_GROUPS.has(record.errorGroup as string)) return `unknown errorGroup ${String(record.errorGroup)}`;
  if ((record.contextId as string).length === 0) return 'empty contextId';
  const extra = Object.keys(record).filter((k) => !['errorGroup', 'errorCode', 'errorMessage', 'contextId'].includes(k));
  if (extra.length > 0) return `extra keys ${extra.join(',')}`;
  return null;
}

// ─── Payments in every state ───

export interface Sentinel {
  /** What the seeding made of it, e.g. "partially-refunded". */
  label: string;
  orderId: string;
  /** The landing token from the initiate url (the user side addresses the payment by it). */
  token: string;
  /** The state the row must be in. */
  state: string;
  /** X-Request-Ids the owner used while seeding (an idempotency key another merchant might try to reuse). */
  requestIds: string[];
}

const AMOUNT = 10_000;

function expectStatus(what: string, result: { status: number; text: string }, status: number): void {
  if (result.status !== status) throw new Error(`seeding ${what}: expected ${status}, got ${result.status} ${result.text}`);
}

/**
 * The owner's payments in every state the HTTP API can reach: initiated (also pushed to an app, and with the
 * issuer's answer pending), reserved, partially and fully captured, partially and fully refunded, released after a
 * partial capture, cancelled by merchant and by user, voided, failed at the issuer, and expired.
 * Order ids are `<prefix>-<label>`. Moves the fake clock once (for the expiry), before creating the others.
 */
export async function seedEveryState(kasse: TestKasse, owner: MerchantClient, prefix: string, callbackPrefix: string): Promise<Sentinel[]> {
  const sentinels: Sentinel[] = [];
  const id = (label: string) => `${prefix}-${label}`;
  const initiate = async (label: string, amount = AMOUNT, overrides: Parameters<MerchantClient['initiateBody']>[2] = {}) => {
    const result = await owner.initiate(id(label), amount, {
      ...overrides,
      merchantInfo: { callbackPrefix, authToken: `secret-auth-token-${prefix}`, ...overrides.merchantInfo },
    });
    expectStatus(`initiate ${label}`, result, 200);
    return { url: result.body.url as string, token: MerchantClient.tokenOf(result.body.url as string) };
  };
  const add = (label: string, token: string, state: string, requestIds: string[] = []) =>
    sentinels.push({ label, orderId: id(label), token, state, requestIds });

  // Expiry needs the clock: done first, so nothing else is old enough to expire.
  const expired = await initiate('expired');
  await kasse.advance(6 * 60_000);
  add('expired', expired.token, 'rejected');

  add('initiated', (await initiate('initiated')).token, 'initiated');
  const pushed = await initiate('pushed', AMOUNT, { customerInfo: { mobileNumber: '91234567' }, transaction: { skipLandingPage: true } });
  add('pushed', pushed.token, 'initiated');

  // Test amount 2.01 kr: the issuer does not answer for an hour.
  const pending = await initiate('pending', 201);
  expectStatus('approve pending', await owner.approve(id('pending'), pending.url), 200);
  add('pending', pending.token, 'initiated');

  // Test amount 1.82 kr: the issuer refuses.
  const failed = await initiate('failed', 182);
  expectStatus('approve failed', await owner.approve(id('failed'), failed.url), 400);
  add('failed', failed.token, 'failed');

  const reserved = async (label: string) => {
    const made = await initiate(label);
    expectStatus(`approve ${label}`, await owner.approve(id(label), made.url, '91234567', `${label}-approve`), 200);
    return made.token;
  };

  add('reserved', await reserved('reserved'), 'reserved', [`reserved-approve`]);

  const partCap = await reserved('part-captured');
  expectStatus('capture part', await owner.capture(id('part-captured'), 4000, 'part-captured-c1'), 200);
  add('part-captured', partCap, 'reserved', ['part-captured-approve', 'part-captured-c1']);

  const captured = await reserved('captured');
  expectStatus('capture all', await owner.capture(id('captured'), AMOUNT, 'captured-c1'), 200);
  add('captured', captured, 'captured', ['captured-approve', 'captured-c1']);

  const partRef = await reserved('part-refunded');
  expectStatus('capture', await owner.capture(id('part-refunded'), AMOUNT, 'part-refunded-c1'), 200);
  expectStatus('refund part', await owner.refund(id('part-refunded'), 3000, 'part-refunded-r1'), 200);
  add('part-refunded', partRef, 'captured', ['part-refunded-approve', 'part-refunded-c1', 'part-refunded-r1']);

  const refunded = await reserved('refunded');
  expectStatus('capture', await owner.capture(id('refunded'), AMOUNT, 'refunded-c1'), 200);
  expectStatus('refund all', await owner.refund(id('refunded'), AMOUNT, 'refunded-r1'), 200);
  add('refunded', refunded, 'captured', ['refunded-approve', 'refunded-c1', 'refunded-r1']);

  const released = await reserved('released');
  expectStatus('capture part', await owner.capture(id('released'), 4000, 'released-c1'), 200);
  expectStatus('release', await owner.cancel(id('released'), true, 'released-x1'), 200);
  add('released', released, 'captured', ['released-approve', 'released-c1', 'released-x1']);

  const cancelled = await initiate('cancelled');
  expectStatus('cancel', await owner.cancel(id('cancelled'), undefined, 'cancelled-x1'), 200);
  add('cancelled', cancelled.token, 'cancelled', ['cancelled-x1']);

  const voided = await reserved('voided');
  expectStatus('void', await owner.cancel(id('voided'), undefined, 'voided-x1'), 200);
  add('voided', voided, 'voided', ['voided-approve', 'voided-x1']);

  const userCancelled = await initiate('user-cancelled');
  expectStatus(
    'user cancel',
    await httpRequest(`${kasse.baseUrl}/_kasse/landing/${userCancelled.token}/cancel`, { method: 'POST' }),
    200,
  );
  add('user-cancelled', userCancelled.token, 'cancelled');

  const rows = await kasse.kasse.store.db
    .selectFrom('payment')
    .select(['order_id', 'state'])
    .where('msn', '=', owner.msn)
    .where(
      'order_id',
      'in',
      sentinels.map((s) => s.orderId),
    )
    .execute();
  for (const sentinel of sentinels) {
    const row = rows.find((r) => r.order_id === sentinel.orderId);
    if (row?.state !== sentinel.state) throw new Error(`seeding ${sentinel.label}: state ${row?.state}, expected ${sentinel.state}`);
  }
  return sentinels;
}

/** Everything observable about the owner's payments: database rows, log and ledger sizes, and /details, /status and the landing view. */
export async function snapshotPayments(kasse: TestKasse, owner: MerchantClient, sentinels: Sentinel[]): Promise<unknown> {
  await kasse.kasse.jobs.drain();
  const db = kasse.kasse.store.db;
  const orderIds = sentinels.map((s) => s.orderId);
  const rows = await db.selectFrom('payment').selectAll().where('msn', '=', owner.msn).where('order_id', 'in', orderIds).orderBy('id').execute();
  const ids = rows.map((r) => r.id);
  const operations = await db.selectFrom('payment_operation').selectAll().where('payment_id', 'in', ids).orderBy('payment_id').orderBy('seq').execute();
  const ledger = await db
    .selectFrom('ledger_line')
    .select(['payment_id', 'account', (eb) => eb.fn.sum<number>('amount_ore').as('total'), (eb) => eb.fn.countAll<number>().as('lines')])
    .where('payment_id', 'in', ids)
    .groupBy(['payment_id', 'account'])
    .orderBy('payment_id')
    .orderBy('account')
    .execute();
  const api: Record<string, unknown> = {};
  for (const sentinel of sentinels) {
    const details = await owner.details(sentinel.orderId);
    const status = await owner.status(sentinel.orderId);
    const landing = await httpRequest(`${kasse.baseUrl}/_kasse/landing/${sentinel.token}`);
    api[sentinel.label] = {
      details: { status: details.status, body: details.body },
      status: { status: status.status, body: status.body },
      landing: { status: landing.status, body: landing.body },
    };
  }
  return {
    rows,
    operations,
    ledger: ledger.map((l) => ({ ...l, total: Number(l.total), lines: Number(l.lines) })),
    api,
  };
}
