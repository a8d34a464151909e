// Preloaded into a child Kasse (NODE_OPTIONS=--import …) by worker-crash.test.ts. In the use-case worker's thread
// only: when a payment whose order id is KASSE_TEST_CRASH_WORKER_ORDER is about to be inserted, the thread ends at
// once (process.exit in a worker ends the thread, not the process), in the middle of that insert's group-commit
// batch, which therefore never commits. The thread is gone and the process is not, as after a bug nobody caught or
// an out-of-memory in the worker.
import { isMainThread } from 'node:worker_threads';
import Database from 'better-sqlite3';

const orderId = process.env.KASSE_TEST_CRASH_WORKER_ORDER;

if (!isMainThread && orderId) {
  const originalPrepare = Database.prototype.prepare;
  Database.prototype.prepare = function prepare(sql) {
    const statement = originalPrepare.call(this, sql);
    if (!/^\s*insert into "payment"\s/i.test(sql)) return statement;
    for (const method of ['run', 'get', 'all']) {
      const original = statement[method];
      statement[method] = function (...args) {
        if (args.flat().includes(orderId)) process.exit(70);
        return original.apply(this, args);
      };
    }
    return statement;
  };
}
