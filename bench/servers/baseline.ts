/**
 * The baseline: a bare node:http server with no framework, no validation and no database. GET answers a JSON
 * body of `getBytes`; POST reads the whole request body, then answers a JSON body of `postBytes`. Whatever the
 * path. It prints `READY {"port":…}` once listening.
 *
 * The POST answer carries a landing `url` with a token, so the lifecycle load process can run its merchant flow
 * against it unchanged (the generator's own ceiling).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const config = JSON.parse(process.argv[2] ?? '{}') as { getBytes?: number; postBytes?: number };

/** A JSON document of exactly `bytes` bytes (at least the fixed part). */
export function jsonOfSize(bytes: number, fields: Record<string, string>): string {
  const base = JSON.stringify({ ...fields, pad: '' });
  return JSON.stringify({ ...fields, pad: 'x'.repeat(Math.max(0, bytes - base.length)) });
}

const getBody = Buffer.from(jsonOfSize(config.getBytes ?? 1000, { orderId: 'baseline' }));
const postBody = Buffer.from(
  jsonOfSize(config.postBytes ?? 150, { orderId: 'baseline', url: 'http://127.0.0.1/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=baseline' }),
);
const headers = (body: Buffer) => ({ 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, headers(getBody)).end(getBody);
    return;
  }
  let received = 0;
  req.on('data', (chunk: Buffer) => (received += chunk.length));
  req.on('end', () => {
    res.writeHead(200, headers(postBody)).end(postBody);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
