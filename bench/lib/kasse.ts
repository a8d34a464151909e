/**
 * Kasse as a real server process (`node --import tsx src/main.ts`, exactly what `npm start` runs), plus the
 * setup a benchmark needs through the public API: a sandbox merchant without rate limits, its access token,
 * and test users with ample funds.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { json } from './http.ts';
import { collect, sleep, start, stop, type Started } from './proc.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface KasseProcess {
  name: string;
  port: number;
  baseUrl: string;
  pid: number | undefined;
  started: Started;
  stderrTail(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface KasseOptions {
  name: string;
  databaseUrl: string;
  logLevel: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Where the server's stderr goes (its log goes to stdout, which is discarded: see README). */
  stderrFile?: string;
}

export async function startKasse(options: KasseOptions): Promise<KasseProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = start(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      DATABASE_URL: options.databaseUrl,
      KASSE_MODE: 'sandbox',
      LOG_LEVEL: options.logLevel,
      KASSE_TOKEN_LIFETIME_SECONDS: '86400',
      ...options.env,
    },
    // pino writes one line per request at info: discarded, so disk speed is not part of the figure.
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const stderr = collect(started.child.stderr, 200_000);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`${options.name} exited during startup: ${stderr.text().slice(-2000)}`);
    try {
      const health = await fetch(`${baseUrl}/_kasse/health`, { signal: AbortSignal.timeout(2_000) });
      if (health.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop(started);
      throw new Error(`${options.name} did not answer /_kasse/health within 90 s: ${stderr.text().slice(-2000)}`);
    }
    await sleep(200);
  }
  return {
    name: options.name,
    port,
    baseUrl,
    pid: started.child.pid,
    started,
    stderrTail: () => stderr.text().slice(-4000),
    stop: () => stop(started, 15_000),
  };
}

export interface Merchant {
  msn: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  token: string;
}

export async function createMerchant(baseUrl: string): Promise<Merchant> {
  const created = await json(baseUrl, 'POST', '/_kasse/sandbox/merchants', { body: { rateLimits: false, name: 'Bench shop' } });
  if (created.status !== 201) throw new Error(`sandbox merchant: ${created.status} ${created.text}`);
  const credentials = created.body as { merchantSerialNumber: string; clientId: string; clientSecret: string; subscriptionKey: string };
  const token = await json(baseUrl, 'POST', '/accesstoken/get', {
    headers: { client_id: credentials.clientId, client_secret: credentials.clientSecret, 'Ocp-Apim-Subscription-Key': credentials.subscriptionKey },
  });
  if (token.status !== 200) throw new Error(`access token: ${token.status} ${token.text}`);
  return {
    msn: credentials.merchantSerialNumber,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    subscriptionKey: credentials.subscriptionKey,
    token: (token.body as { access_token: string }).access_token,
  };
}

export function authHeaders(merchant: Merchant): Record<string, string> {
  return { Authorization: `Bearer ${merchant.token}`, 'Ocp-Apim-Subscription-Key': merchant.subscriptionKey };
}

/**
 * Test users with one card each and funds for ~10⁸ payments, so every merchant loop pays with its own card
 * (as different customers would; one shared card would be one hot row every approval locks).
 */
export async function createUsers(baseUrl: string, count: number, first = 47_000_000): Promise<string[]> {
  const phones: string[] = [];
  for (let i = 0; i < count; i++) {
    const msisdn = String(first + i);
    const created = await json(baseUrl, 'POST', '/_kasse/sandbox/users', {
      body: { msisdn, firstName: 'Bench', lastName: `User ${i}`, cards: [{ bankId: 'dnb', availableOre: 100_000_000_000 }] },
    });
    if (created.status !== 201) throw new Error(`sandbox user: ${created.status} ${created.text}`);
    phones.push(msisdn);
  }
  return phones;
}

/** A reserved-and-captured payment (initiate → approve → capture), for the details benchmark. */
export async function capturedPayment(baseUrl: string, merchant: Merchant, phone: string, orderId: string): Promise<void> {
  const headers = authHeaders(merchant);
  const initiated = await json<{ url: string }>(baseUrl, 'POST', '/ecomm/v2/payments', {
    headers,
    body: {
      customerInfo: {},
      merchantInfo: { merchantSerialNumber: merchant.msn, callbackPrefix: 'http://127.0.0.1:9/callbacks', fallBack: 'https://example.com/fallback' },
      transaction: { orderId, amount: 1000, transactionText: 'One pair of socks' },
    },
  });
  if (initiated.status !== 200) throw new Error(`initiate: ${initiated.status} ${initiated.text}`);
  const token = initiated.body.url.split('=', 3)[2];
  const approved = await json(baseUrl, 'POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, { headers, body: { customerPhoneNumber: phone, token } });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);
  const captured = await json(baseUrl, 'POST', `/ecomm/v2/payments/${orderId}/capture`, {
    headers,
    body: { merchantInfo: { merchantSerialNumber: merchant.msn }, transaction: { amount: 600, transactionText: 'Shipped' } },
  });
  if (captured.status !== 200) throw new Error(`capture: ${captured.status} ${captured.text}`);
}
