/**
 * The merchant's callback endpoint for the callback benchmarks: answers 200 at once and records when each
 * callback arrived (performance.timeOrigin + performance.now(), comparable across processes on this machine)
 * and for which orderId. Control: GET /__arrivals (and reset) — never called by Kasse.
 * Prints `READY {"port":…}` once listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let arrivals: Array<[orderId: string, atMs: number]> = [];
const ok = Buffer.from('{"ok":true}');

const server = http.createServer((req, res) => {
  const atMs = performance.timeOrigin + performance.now();
  const url = req.url ?? '';
  if (req.method === 'GET' && url === '/__arrivals') {
    const body = JSON.stringify(arrivals);
    arrivals = [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  if (req.method === 'GET' && url === '/__count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: arrivals.length }));
    return;
  }
  req.resume();
  req.on('end', () => {
    // The callback URL is `${callbackPrefix}/v2/payments/${orderId}`.
    arrivals.push([url.slice(url.lastIndexOf('/') + 1), atMs]);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ok.length }).end(ok);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
