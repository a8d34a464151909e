import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { DeliveryResult, OutboundRequest } from '../core/callbacks/delivery.ts';

const EXCERPT_CHARS = 500;
/** We keep only an excerpt; a merchant answering with megabytes must not cost us memory. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * How long a pooled connection to a merchant may sit idle before it is closed instead of reused. A merchant's server
 * closes idle connections too (Node's after 5 s), and a call that reuses one just as it closes fails before any
 * answer — and a payment callback makes one attempt. Closing ours first avoids that race. The limit also makes Node
 * honour a shorter `Keep-Alive: timeout=…` hint from the server (less one second); with no limit it ignores the hint.
 */
export const IDLE_CONNECTION_MS = 2_000;

/** The connection pools of outbound calls (exported for tests). */
export const outboundAgents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_CONNECTION_MS }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_CONNECTION_MS }),
};

/**
 * One outbound HTTP call as the platform makes it: a hard deadline for the whole exchange, redirects not
 * followed, any answer recorded. node:http rather than fetch, because fetch refuses "bad ports" and Kasse
 * must call merchants on any port. Latency is a duration, so it is measured on the monotonic clock.
 */
export function deliver(request: OutboundRequest): Promise<DeliveryResult> {
  const started = performance.now();
  const finish = (result: Omit<DeliveryResult, 'latencyMs' | 'responseExcerpt'>): DeliveryResult => ({
    ...result,
    responseExcerpt: result.responseText === null ? null : result.responseText.slice(0, EXCERPT_CHARS),
    latencyMs: performance.now() - started,
  });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(finish({ httpStatus: null, responseText: null, error: `invalid URL: ${request.url}` }));
  }
  const agent = url.protocol === 'http:' || url.protocol === 'https:' ? outboundAgents[url.protocol] : undefined;
  if (!agent) return Promise.resolve(finish({ httpStatus: null, responseText: null, error: `unsupported scheme ${url.protocol}` }));
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: Omit<DeliveryResult, 'latencyMs' | 'responseExcerpt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(finish(result));
    };
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== null) {
      headers['Content-Type'] ??= 'application/json;charset=UTF-8';
      headers['Content-Length'] = String(Buffer.byteLength(request.body));
    }
    const outgoing = transport.request(url, { method: request.method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        if (bytes < MAX_RESPONSE_BYTES) chunks.push(chunk);
        bytes += chunk.length;
      });
      response.on('end', () =>
        settle({
          httpStatus: response.statusCode ?? null,
          responseText: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
          error: null,
        }),
      );
      response.on('error', (error) => settle({ httpStatus: response.statusCode ?? null, responseText: null, error: describe(error) }));
    });
    const deadline = setTimeout(() => {
      settle({ httpStatus: null, responseText: null, error: `timed out after ${request.timeoutMs} ms` });
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', (error) => settle({ httpStatus: null, responseText: null, error: describe(error) }));
    outgoing.end(request.body ?? undefined);
  });
}

function describe(error: Error & { code?: string }): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
