// Goal: two refusals a client must be able to read.
//  - A wrong method on a known path is 405 with an Allow header and the Vipps error body (it was a 404, as if the
//    endpoint did not exist).
//  - A body over the limit is 413, and the client receives it: a 2 MB upload over a real socket gets the answer, not a
//    connection reset half-way (Kasse once closed the socket under the client's upload).
// Method: a test Kasse over HTTP; the uploads go through raw TCP sockets (Content-Length and chunked), several times
// each, and the socket must end cleanly after the answer.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

const UPLOAD_BYTES = 2 * 1024 * 1024;

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** A socket error (ECONNRESET, EPIPE) seen before the answer was complete, if any. */
  error: string | null;
}

/** Send the request head, then the body in 64 KiB pieces 2 ms apart; read whatever comes back until the socket ends. */
function rawUpload(baseUrl: string, path: string, headers: Record<string, string>, chunked: boolean): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const received: Buffer[] = [];
    let error: string | null = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 20 s'));
    }, 20_000);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body, error });
    });
    socket.on('connect', async () => {
      const lines = [`POST ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Content-Type: application/json', 'Connection: close'];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      lines.push(chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${UPLOAD_BYTES}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      const piece = Buffer.alloc(64 * 1024, 'x');
      for (let sent = 0; sent < UPLOAD_BYTES && !socket.destroyed; sent += piece.length) {
        const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
        if (!socket.write(framed)) await new Promise((r) => socket.once('drain', r).once('close', r));
        // As a client on a real network would: the upload is still going when the server has answered.
        await new Promise((r) => setTimeout(r, 2));
      }
      if (chunked && !socket.destroyed) socket.write('0\r\n\r\n');
    });
  });
}

describe('methods and body limits', () => {
  let k: TestKasse;
  let merchant: MerchantClient;
  before(async () => {
    k = await startTestKasse({ startJobs: false });
    merchant = await MerchantClient.create(k.baseUrl);
  });
  after(() => k?.close());

  test('a wrong method on a known path is 405 with Allow and the Vipps error body', async () => {
    const cases = [
      { method: 'GET', path: '/ecomm/v2/payments', allow: 'POST' },
      { method: 'DELETE', path: '/ecomm/v2/payments/order-1/capture', allow: 'POST' },
      { method: 'POST', path: '/Ecomm/v2/payments/order-1/details/', allow: 'GET, HEAD' },
      { method: 'POST', path: '/ecomm/v2/payments/order-1/cancel', allow: 'PUT' },
      { method: 'GET', path: '/accesstoken/get', allow: 'POST' },
    ];
    for (const c of cases) {
      const result = await httpRequest(`${k.baseUrl}${c.path}`, { method: c.method });
      assertVippsError(result, { status: 405, group: 'InvalidRequest', code: 'method', message: new RegExp(`^${c.method} is not allowed`) });
      assert.equal(result.headers.get('allow'), c.allow, `${c.method} ${c.path}`);
    }
    const unknown = await httpRequest(`${k.baseUrl}/ecomm/v2/nothing-here`, { method: 'GET' });
    assertVippsError(unknown, { status: 404, group: 'InvalidRequest', code: 'path', message: /^No such endpoint/ });
  });

  for (const chunked of [false, true]) {
    test(`a 2 MB body (${chunked ? 'chunked' : 'Content-Length'}) gets 413 and the client receives it`, { timeout: 120_000 }, async () => {
      const auth = await merchant.authHeaders();
      for (let round = 0; round < 3; round++) {
        for (const [path, headers] of [
          ['/_kasse/sandbox/merchants', {}],
          ['/ecomm/v2/payments', auth],
        ] as const) {
          const answer = await rawUpload(k.baseUrl, path, headers, chunked);
          assert.equal(answer.error, null, `round ${round} ${path}: the socket ended cleanly, got ${answer.error}`);
          assert.equal(answer.status, 413, `round ${round} ${path}: ${answer.headers}`);
          const [error] = JSON.parse(answer.body) as Array<{ errorGroup: string; errorCode: string }>;
          assert.deepEqual([error?.errorGroup, error?.errorCode], ['InvalidRequest', 'body']);
        }
      }
    });
  }
});
