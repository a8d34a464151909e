import { assertConformsToSpec } from './openapi-conformance.ts';

/**
 * What merchant code does, over real HTTP: fetch a token, then call the ecomm v2 API with it.
 * Tests use `raw` to send exactly the bytes they want and `call` for the common paths.
 */
export interface Credentials {
  merchantSerialNumber: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  /** The merchant's first portal user (an admin), as POST /_kasse/sandbox/merchants answers. */
  portalEmail: string;
  portalPassword: string;
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function httpRequest<T = any>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: body ?? null });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export async function createSandboxMerchant(
  baseUrl: string,
  options: {
    captureType?: 'reserve' | 'direct';
    express?: boolean;
    rateLimits?: boolean;
    name?: string;
    feeBasisPoints?: number;
    feeFixedOre?: number;
    settlementType?: 'net' | 'gross';
    payoutFrequency?: 'daily' | 'weekly' | 'monthly';
    kind?: 'ecommerce' | 'vippsnummer';
    vippsNumber?: string;
  } = {},
): Promise<Credentials> {
  const result = await httpRequest<Credentials>(`${baseUrl}/_kasse/sandbox/merchants`, {
    method: 'POST',
    body: { rateLimits: false, ...options },
  });
  if (result.status !== 201) throw new Error(`sandbox merchant: ${result.status} ${result.text}`);
  return result.body;
}

export class MerchantClient {
  #token: string | undefined;
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
  ) {}

  static async create(baseUrl: string, options: Parameters<typeof createSandboxMerchant>[1] = {}): Promise<MerchantClient> {
    return new MerchantClient(baseUrl, await createSandboxMerchant(baseUrl, options));
  }

  get msn(): string {
    return this.credentials.merchantSerialNumber;
  }

  async token(): Promise<string> {
    if (this.#token) return this.#token;
    const result = await httpRequest(`${this.baseUrl}/accesstoken/get`, {
      method: 'POST',
      headers: {
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
        'Ocp-Apim-Subscription-Key': this.credentials.subscriptionKey,
      },
    });
    if (result.status !== 200) throw new Error(`access token: ${result.status} ${result.text}`);
    this.#token = result.body.access_token as string;
    return this.#token;
  }

  async authHeaders(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.token()}`, 'Ocp-Apim-Subscription-Key': this.credentials.subscriptionKey };
  }

  /** Every answer to an ecomm operation is checked against the official spec's schema for its status. */
  async call<T = any>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
    const result = await httpRequest<T>(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(await this.authHeaders()), ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    assertConformsToSpec(method, path, result.status, result.body);
    return result;
  }

  initiateBody(orderId: string, amountOre: number, overrides: { merchantInfo?: object; transaction?: object; customerInfo?: object } = {}) {
    return {
      customerInfo: { ...overrides.customerInfo },
      merchantInfo: {
        merchantSerialNumber: this.msn,
        callbackPrefix: 'http://127.0.0.1:9/callbacks',
        fallBack: 'https://example.com/fallback',
        ...overrides.merchantInfo,
      },
      transaction: { orderId, amount: amountOre, transactionText: 'One pair of socks', ...overrides.transaction },
    };
  }

  initiate(orderId: string, amountOre: number, overrides: Parameters<MerchantClient['initiateBody']>[2] = {}) {
    return this.call<{ orderId: string; url: string }>('POST', '/ecomm/v2/payments', { body: this.initiateBody(orderId, amountOre, overrides) });
  }

  /** The token the Postman collection extracts: url.split('=', 3)[2]. */
  static tokenOf(url: string): string {
    return url.split('=', 3)[2] ?? '';
  }

  approve(orderId: string, url: string, phone = '91234567', requestId?: string) {
    return this.call('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, {
      body: { customerPhoneNumber: phone, token: MerchantClient.tokenOf(url) },
      ...(requestId ? { headers: { 'X-Request-Id': requestId } } : {}),
    });
  }

  /** Initiate and approve: a RESERVED payment (or SALE on a direct-capture unit). */
  async reserved(orderId: string, amountOre: number): Promise<void> {
    const initiated = await this.initiate(orderId, amountOre);
    if (initiated.status !== 200) throw new Error(`initiate: ${initiated.status} ${initiated.text}`);
    const approved = await this.approve(orderId, initiated.body.url);
    if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);
  }

  capture(orderId: string, amountOre: number | null | undefined, requestId?: string, text = 'Shipped') {
    return this.call('POST', `/ecomm/v2/payments/${orderId}/capture`, {
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { ...(amountOre !== undefined ? { amount: amountOre } : {}), transactionText: text } },
      ...(requestId ? { headers: { 'X-Request-Id': requestId } } : {}),
    });
  }

  refund(orderId: string, amountOre: number | null | undefined, requestId?: string, text = 'Returned') {
    return this.call('POST', `/ecomm/v2/payments/${orderId}/refund`, {
      body: { merchantInfo: { merchantSerialNumber: this.msn }, transaction: { ...(amountOre !== undefined ? { amount: amountOre } : {}), transactionText: text } },
      ...(requestId ? { headers: { 'X-Request-Id': requestId } } : {}),
    });
  }

  cancel(orderId: string, shouldReleaseRemainingFunds?: boolean, requestId?: string) {
    return this.call('PUT', `/ecomm/v2/payments/${orderId}/cancel`, {
      body: {
        merchantInfo: { merchantSerialNumber: this.msn },
        transaction: { transactionText: 'Cancelled' },
        ...(shouldReleaseRemainingFunds !== undefined ? { shouldReleaseRemainingFunds } : {}),
      },
      ...(requestId ? { headers: { 'X-Request-Id': requestId } } : {}),
    });
  }

  details(orderId: string) {
    return this.call('GET', `/ecomm/v2/payments/${orderId}/details`);
  }

  status(orderId: string) {
    return this.call('GET', `/ecomm/v2/payments/${orderId}/status`);
  }
}

/** The Vipps-System-* headers a well-behaved integration sends (the integration checklist asks for them). */
export const SYSTEM_HEADERS = { 'Vipps-System-Name': 'acme-webshop', 'Vipps-System-Version': '4.2.0' };

/** A merchant script that sends the Vipps-System-* headers on every call. */
export class WellBehavedClient extends MerchantClient {
  override async authHeaders(): Promise<Record<string, string>> {
    return { ...(await super.authHeaders()), ...SYSTEM_HEADERS };
  }
}

/** The single error of a Vipps error body, asserting its shape on the way. */
export function vippsError(body: unknown): { errorGroup: string; errorCode: string; errorMessage: string; contextId: string } {
  if (!Array.isArray(body) || body.length !== 1) throw new Error(`not a Vipps error body: ${JSON.stringify(body)}`);
  return body[0];
}
