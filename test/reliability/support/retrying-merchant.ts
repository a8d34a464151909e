/**
 * A merchant that behaves as the Vipps guide asks while the platform crashes under it: every mutating request
 * carries an X-Request-Id, and a request without a definitive answer (connection refused or reset, timeout, 5xx,
 * 429, 94 "order locked") is sent again with the same key and the same body until it gets one. Bounded by attempts
 * and by a deadline. Counts everything it does, for the reports of the reliability tests.
 */
import type { Credentials } from '../../support/merchant-client.ts';

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
}

export type Attempt = ({ ok: true } & Answer) | { ok: false; error: string };

export interface SendOptions {
  method: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** One HTTP exchange on 127.0.0.1 with a deadline; transport failures are values, not exceptions. */
export async function sendOnce(url: string, options: SendOptions): Promise<Attempt> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | null = null;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  try {
    const response = await fetch(url, { method: options.method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { ok: true, status: response.status, body: parsed, text };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

function errorCodeOf(body: unknown): string | undefined {
  return Array.isArray(body) ? (body[0] as { errorCode?: string } | undefined)?.errorCode : undefined;
}

/** The answers a client must not act on: the server may or may not have done the work. */
export function isDefinitive(answer: Answer): boolean {
  if (answer.status >= 500 || answer.status === 429) return false;
  if (answer.status === 409 && errorCodeOf(answer.body) === '94') return false;
  return true;
}

export class RetryStats {
  /** Logical requests (one per X-Request-Id or read), HTTP attempts, and how the attempts failed. */
  requests = 0;
  attempts = 0;
  transportErrors = 0;
  retryableAnswers = 0;
  /** Logical requests that saw at least one failed attempt before their definitive answer. */
  interrupted = 0;
  acknowledged = 0;
  rejected = 0;
  readonly errorKinds = new Map<string, number>();
  /** Set when the test gave up (a kill plan failed): requests still retrying stop at their next attempt. */
  stopped = false;

  add(other: RetryStats): void {
    this.requests += other.requests;
    this.attempts += other.attempts;
    this.transportErrors += other.transportErrors;
    this.retryableAnswers += other.retryableAnswers;
    this.interrupted += other.interrupted;
    this.acknowledged += other.acknowledged;
    this.rejected += other.rejected;
    for (const [k, n] of other.errorKinds) this.errorKinds.set(k, (this.errorKinds.get(k) ?? 0) + n);
  }

  summary() {
    return {
      requests: this.requests,
      attempts: this.attempts,
      acknowledged: this.acknowledged,
      rejected: this.rejected,
      interrupted: this.interrupted,
      transportErrors: this.transportErrors,
      retryableAnswers: this.retryableAnswers,
      errorKinds: Object.fromEntries(this.errorKinds),
    };
  }
}

export interface DefinitiveAnswer<T = any> extends Answer<T> {
  /** HTTP attempts this logical request took, and whether any of them failed. */
  attempts: number;
  interrupted: boolean;
  /** Wall-clock time of the first failed attempt (to tell a replayed commit from a fresh one). */
  firstFailureAtMs: number | null;
}

const MAX_ATTEMPTS = 400;
const DEADLINE_MS = 120_000;

/** Send until definitive (bounded); every attempt the same method, URL, headers and body. */
export async function sendUntilDefinitive<T = any>(url: string, options: SendOptions, stats: RetryStats, mutating = true): Promise<DefinitiveAnswer<T>> {
  const started = Date.now();
  let firstFailureAtMs: number | null = null;
  if (mutating) stats.requests++;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (stats.stopped) throw new Error(`${options.method} ${url}: stopped, the test gave up`);
    stats.attempts++;
    const result = await sendOnce(url, options);
    if (result.ok && isDefinitive(result)) {
      if (mutating) {
        if (firstFailureAtMs !== null) stats.interrupted++;
        if (result.status === 200) stats.acknowledged++;
        else stats.rejected++;
      }
      return { status: result.status, body: result.body as T, text: result.text, attempts: attempt, interrupted: firstFailureAtMs !== null, firstFailureAtMs };
    }
    firstFailureAtMs ??= Date.now();
    const kind = result.ok ? `HTTP ${result.status}` : result.error;
    stats.errorKinds.set(kind, (stats.errorKinds.get(kind) ?? 0) + 1);
    if (result.ok) stats.retryableAnswers++;
    else stats.transportErrors++;
    if (Date.now() - started > DEADLINE_MS) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, 20 * 2 ** Math.min(attempt, 5))));
  }
  throw new Error(`${options.method} ${url}: no definitive answer after ${MAX_ATTEMPTS} attempts / ${DEADLINE_MS} ms`);
}

/**
 * The ecomm v2 calls of one merchant, each retried until definitive. `baseUrl()` is asked on every call, so a test
 * may route a merchant to different nodes.
 */
export class RetryingMerchant {
  #token: Promise<string> | null = null;
  readonly stats = new RetryStats();

  constructor(
    readonly credentials: Credentials,
    private readonly baseUrl: () => string,
  ) {}

  get msn(): string {
    return this.credentials.merchantSerialNumber;
  }

  token(): Promise<string> {
    // One fetch shared by every concurrent caller; a failed fetch is forgotten so that the next call tries again.
    this.#token ??= this.#fetchToken().catch((error: unknown) => {
      this.#token = null;
      throw error;
    });
    return this.#token;
  }

  async #fetchToken(): Promise<string> {
    const answer = await sendUntilDefinitive(
      `${this.baseUrl()}/accesstoken/get`,
      {
        method: 'POST',
        headers: {
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
          'Ocp-Apim-Subscription-Key': this.credentials.subscriptionKey,
        },
      },
      this.stats,
      false,
    );
    if (answer.status !== 200) throw new Error(`access token: ${answer.status} ${answer.text}`);
    return (answer.body as { access_token: string }).access_token;
  }

  async call<T = any>(method: string, path: string, options: { body?: unknown; requestId?: string; baseUrl?: string } = {}): Promise<DefinitiveAnswer<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${await this.token()}`,
      'Ocp-Apim-Subscription-Key': this.credentials.subscriptionKey,
    };
    if (options.requestId !== undefined) headers['X-Request-Id'] = options.requestId;
    const url = `${options.baseUrl ?? this.baseUrl()}${path}`;
    return sendUntilDefinitive<T>(url, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}) }, this.stats, method !== 'GET');
  }

  initiate(orderId: string, amountOre: number, callbackPrefix: string, requestId: string, baseUrl?: string) {
    return this.call<{ orderId: string; url: string }>('POST', '/ecomm/v2/payments', {
      requestId,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      body: {
        customerInfo: {},
        merchantInfo: { merchantSerialNumber: this.msn, callbackPrefix, fallBack: 'https://example.com/fallback' },
        transaction: { orderId, amount: amountOre, transactionText: `Order ${orderId}` },
      },
    });
  }

  approve(orderId: string, landingToken: string, phone: string, requestId: string, baseUrl?: string) {
    return this.call('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, {
      requestId,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      body: { customerPhoneNumber: phone, token: landingToken },
    });
  }

  capture(orderId: string, amountOre: number, requestId: string, baseUrl?: string) {
    return this.call('POST', `/ecomm/v2/payments/${orderId}/capture`, {
      requestId,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { amount: amountOre, transactionText: 'Shipped' } },
    });
  }

  refund(orderId: string, amountOre: number, requestId: string, baseUrl?: string) {
    return this.call('POST', `/ecomm/v2/payments/${orderId}/refund`, {
      requestId,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { amount: amountOre, transactionText: 'Returned' } },
    });
  }

  cancel(orderId: string, requestId: string, releaseRemaining?: boolean, baseUrl?: string) {
    return this.call('PUT', `/ecomm/v2/payments/${orderId}/cancel`, {
      requestId,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      body: {
        merchantInfo: { merchantSerialNumber: this.msn },
        transaction: { transactionText: 'Cancelled' },
        ...(releaseRemaining !== undefined ? { shouldReleaseRemainingFunds: releaseRemaining } : {}),
      },
    });
  }

  details(orderId: string, baseUrl?: string) {
    return this.call('GET', `/ecomm/v2/payments/${orderId}/details`, baseUrl !== undefined ? { baseUrl } : {});
  }
}

/** The Vipps error code of a 4xx body, if it is one. */
export function vippsErrorCode(body: unknown): string | undefined {
  return errorCodeOf(body);
}

/** The landing token in an initiate `url` (Postman: url.split('=', 3)[2]). */
export function landingTokenOf(url: string): string {
  return url.split('=', 3)[2] ?? '';
}
