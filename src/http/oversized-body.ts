import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** How much of a refused body Kasse reads and discards so the client can finish sending and read the answer. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * 413 for a body over the limit, answered so the client receives it. Closing the socket while the client is still
 * uploading makes the kernel answer its next segments with a reset, and a client busy sending often sees
 * "connection reset" instead of the 413. So the rest of the body is read and discarded first (bounded: beyond 16 MiB
 * or 10 s the connection is closed after the answer anyway); a fully drained connection stays open.
 */
export async function answerAfterDraining(request: FastifyRequest, reply: FastifyReply, answer: () => FastifyReply): Promise<FastifyReply> {
  if (await drained(request.raw)) reply.removeHeader('connection');
  else reply.header('connection', 'close');
  return answer();
}

function drained(raw: IncomingMessage): Promise<boolean> {
  if (raw.complete || raw.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose);
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_DRAIN_BYTES) finish(false);
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(false);
    const onClose = () => finish(raw.complete);
    const timer = setTimeout(() => finish(false), DRAIN_TIMEOUT_MS);
    raw.on('data', onData).on('end', onEnd).on('error', onFail).on('close', onClose);
    raw.resume();
  });
}
