// Property: Kasse never reuses a pooled connection to a merchant that the merchant's server may already have closed.
// Servers close idle keep-alive connections (Node's after 5 s) and a call that reuses one just then fails before any
// answer; a payment callback makes one attempt, so it would be lost (the likely cause of one CI failure this session:
// a browser test's CANCELLED callback never arrived after a pause of some seconds under load). Without an idle limit
// of its own, Node's agent kept pooled connections forever and ignored the server's `Keep-Alive: timeout` hint.
// Method: deliver() to node:http merchants with different keep-alive timeouts and read the idle limit that the pooled
// connection got (a socket timer, so the test reads it instead of sleeping past it).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, test } from 'node:test';
import { IDLE_CONNECTION_MS, deliver, outboundAgents } from '../../src/outbound/http-delivery.ts';

const servers: http.Server[] = [];
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function merchant(keepAliveTimeoutMs: number): Promise<string> {
  const server = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
  server.keepAliveTimeout = keepAliveTimeoutMs;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The idle limit of the pooled connection to `base` after one call, or null when the connection was not pooled. */
async function pooledIdleLimitMs(base: string): Promise<number | null> {
  const result = await deliver({ method: 'POST', url: `${base}/callbacks/v2/payments/o1`, headers: {}, body: '{}', timeoutMs: 3_000 });
  assert.equal(result.httpStatus, 200, result.error ?? '');
  await new Promise((resolve) => setImmediate(resolve));
  const host = new URL(base).host;
  const pooled = Object.entries(outboundAgents['http:'].freeSockets).filter(([name]) => name.startsWith(host));
  const socket = pooled.flatMap(([, sockets]) => sockets ?? [])[0] as (Socket & { timeout?: number }) | undefined;
  return socket ? (socket.timeout ?? 0) : null;
}

test('a connection to a server with Node’s default 5 s keep-alive is closed after Kasse’s own idle limit, well before the server’s', async () => {
  assert.equal(await pooledIdleLimitMs(await merchant(5_000)), IDLE_CONNECTION_MS);
});

test('a server announcing a shorter keep-alive gets its hint less a second', async () => {
  // keepAliveTimeout 2.5 s is announced as "Keep-Alive: timeout=2".
  assert.equal(await pooledIdleLimitMs(await merchant(2_500)), 1_000);
});

test('a server announcing under a second of keep-alive gets no reuse at all', async () => {
  assert.equal(await pooledIdleLimitMs(await merchant(900)), null);
});
