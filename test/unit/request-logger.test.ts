// Property: a request's logger (request.log) writes exactly what a child of the server's logger with the request's
// bindings would write, and is made only when the request logs something.
// Method: pino writing into memory; the lazy logger beside a real child, line by line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { lazyRequestLogger } from '../../src/http/request-log.ts';

function capturingLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // Without time, pid and hostname: two lines written at different moments compare equal.
  const logger = pino({ level, base: null, timestamp: false }, stream) as unknown as FastifyBaseLogger;
  return { logger, lines };
}

/** The logger, with a count of the children made of it (a wrapper: pino's children inherit their parent's own properties). */
function countingChildren(logger: FastifyBaseLogger) {
  let made = 0;
  const counting = Object.create(logger) as FastifyBaseLogger;
  counting.child = (bindings, options) => {
    made++;
    return logger.child(bindings, options);
  };
  return { logger: counting, made: () => made };
}

test('a request that logs nothing makes no child logger', () => {
  const { logger } = capturingLogger();
  const children = countingChildren(logger);
  const requestLog = lazyRequestLogger(children.logger, { reqId: 'r-1' }, {});
  assert.equal(requestLog.level, 'info');
  assert.equal(children.made(), 0);
});

test('each level writes the line a child with the same bindings writes, with one child made', () => {
  const lazy = capturingLogger('trace');
  const eager = capturingLogger('trace');
  const children = countingChildren(lazy.logger);
  const requestLog = lazyRequestLogger(children.logger, { reqId: 'r-2' }, {});
  const childLog = eager.logger.child({ reqId: 'r-2' }, {});
  for (const log of [requestLog, childLog]) {
    log.trace('t');
    log.debug({ n: 1 }, 'd');
    log.info('i %s', 'formatted');
    log.warn({ err: new Error('w') }, 'warned');
    log.error('e');
    log.fatal('f');
    log.child({ step: 'inner' }).info('from a grandchild');
  }
  const withoutStack = (line: Record<string, unknown>) => ({ ...line, err: line.err === undefined ? undefined : { ...(line.err as object), stack: '' } });
  assert.deepEqual(lazy.lines.map(withoutStack), eager.lines.map(withoutStack));
  assert.equal(lazy.lines.length, 7);
  assert.ok(lazy.lines.every((line) => line.reqId === 'r-2'));
  assert.equal(children.made(), 1);
});

test("the child's options apply (a route's log level), and a level set on the request's logger holds", () => {
  const { logger, lines } = capturingLogger('info');
  const quiet = lazyRequestLogger(logger, { reqId: 'r-3' }, { level: 'error' });
  assert.equal(quiet.level, 'error');
  quiet.info('dropped');
  quiet.error('kept');
  assert.deepEqual(
    lines.map((line) => line.msg),
    ['kept'],
  );
  quiet.level = 'info';
  quiet.info('now kept');
  assert.equal(quiet.level, 'info');
  assert.equal(lines.at(-1)?.msg, 'now kept');
});
