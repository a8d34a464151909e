// Goal: the benchmarks' load client (bench/lib/http.ts) reads every answer whole and in order — by Content-Length,
// however the bytes arrive, or by chunks — reuses its keep-alive connections, opens a new one when the server closes
// one, and never has more open than it was given.
// Method: a node:http server on 127.0.0.1:0 that answers in the shapes under test; the client's requests against it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { Client } from '../../bench/lib/http.ts';

const sockets = new Set<Socket>();
let peakOpen = 0;

function answer(request: IncomingMessage, response: ServerResponse, body: string): void {
  const path = request.url ?? '';
  if (path === '/chunked') {
    // No Content-Length: node:http sends it in chunks, one per write.
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"parts":[');
    response.write('"æøå",');
    response.end('"end"]}');
    return;
  }
  if (path === '/close') {
    response.writeHead(200, { connection: 'close', 'content-length': '6' }).end('closed');
    return;
  }
  if (path === '/slow-bytes') {
    // The head and the body's halves in separate writes, a turn of the event loop apart.
    const text = JSON.stringify({ echo: body, padding: 'x'.repeat(3000) });
    const bytes = Buffer.from(text);
    response.writeHead(201, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
    response.flushHeaders();
    setImmediate(() => {
      response.write(bytes.subarray(0, 1000));
      setImmediate(() => response.end(bytes.subarray(1000)));
    });
    return;
  }
  const text = JSON.stringify({ method: request.method, path, body, auth: request.headers.authorization ?? null });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => answer(request, response, body));
});
server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  peakOpen = Math.max(peakOpen, sockets.size);
  socket.on('close', () => sockets.delete(socket));
});
let port = 0;

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('an answer is read whole by its Content-Length, with the request line, headers and body as sent', async () => {
  const client = new Client('127.0.0.1', port, 2);
  try {
    const reply = await client.request('POST', '/ecomm/v2/payments', { authorization: 'Bearer t' }, '{"amount":1000,"text":"æ"}');
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.text), { method: 'POST', path: '/ecomm/v2/payments', body: '{"amount":1000,"text":"æ"}', auth: 'Bearer t' });
    const slow = await client.request('POST', '/slow-bytes', {}, 'ø');
    assert.equal(slow.status, 201);
    assert.equal((JSON.parse(slow.text) as { echo: string }).echo, 'ø');
    const get = await client.request('GET', '/after', {});
    assert.equal((JSON.parse(get.text) as { path: string }).path, '/after', 'the next answer on the connection is the next request’s');
  } finally {
    client.close();
  }
});

test('a chunked answer is read to its last chunk', async () => {
  const client = new Client('127.0.0.1', port, 1);
  try {
    const reply = await client.request('GET', '/chunked', {});
    assert.deepEqual(JSON.parse(reply.text), { parts: ['æøå', 'end'] });
    assert.equal((await client.request('GET', '/next', {})).status, 200);
  } finally {
    client.close();
  }
});

test('connections are reused, at most the given number are open, and one the server closes is replaced', async () => {
  peakOpen = sockets.size;
  const client = new Client('127.0.0.1', port, 3);
  try {
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => client.request('GET', `/n${i}`, {})));
    assert.deepEqual(
      replies.map((reply) => (JSON.parse(reply.text) as { path: string }).path),
      Array.from({ length: 30 }, (_, i) => `/n${i}`),
    );
    assert.ok(peakOpen <= 3, `at most three connections open (${peakOpen})`);
    const closing = await Promise.all([client.request('GET', '/close', {}), client.request('GET', '/close', {}), client.request('GET', '/close', {})]);
    assert.deepEqual(closing.map((reply) => reply.text), ['closed', 'closed', 'closed']);
    const afterwards = await Promise.all(Array.from({ length: 6 }, (_, i) => client.request('GET', `/again${i}`, {})));
    assert.equal(afterwards.filter((reply) => reply.status === 200).length, 6, 'new connections in place of the closed ones');
  } finally {
    client.close();
  }
});
