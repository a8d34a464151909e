// Property: a callback is not lost to a keep-alive connection the merchant's server has already closed. Kasse keeps
// connections to merchants open between calls; a server closes idle ones (Node's after 5 s), and a call that reuses
// one just then fails before any answer — with one attempt per callback, the callback was lost (the likely cause of
// a CI failure: a browser test's CANCELLED callback never arrived after a pause of some seconds under load).
// Method: a raw TCP merchant that answers the first request on a connection and resets the connection when a second
// request arrives on it, as a server does that had closed it; deliver() twice in a row.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { deliver } from '../../src/outbound/http-delivery.ts';

let server: net.Server;
let baseUrl: string;
const served: Array<{ connection: number; path: string }> = [];
let connections = 0;

before(async () => {
  server = net.createServer((socket) => {
    const connection = ++connections;
    let buffer = '';
    let requests = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(buffer.slice(0, headEnd))?.[1] ?? 0);
        if (buffer.length < headEnd + 4 + length) return;
        const path = buffer.slice(0, buffer.indexOf('\r\n')).split(' ')[1]!;
        buffer = buffer.slice(headEnd + 4 + length);
        if (++requests > 1) {
          socket.resetAndDestroy();
          return;
        }
        served.push({ connection, path });
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const call = (path: string) => deliver({ method: 'POST', url: `${baseUrl}${path}`, headers: {}, body: '{"n":1}', timeoutMs: 3_000 });

test('a call on a pooled connection the merchant closed is sent again on a new connection, once', async () => {
  const first = await call('/callbacks/v2/payments/a');
  assert.equal(first.httpStatus, 200, first.error ?? '');
  const second = await call('/callbacks/v2/payments/b');
  assert.equal(second.httpStatus, 200, second.error ?? '');
  assert.equal(second.error, null);
  assert.deepEqual(served, [
    { connection: 1, path: '/callbacks/v2/payments/a' },
    { connection: 2, path: '/callbacks/v2/payments/b' },
  ]);
});
