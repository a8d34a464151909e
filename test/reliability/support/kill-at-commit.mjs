// Preloaded into a child Kasse (NODE_OPTIONS=--import …) by the reliability tests; it instruments better-sqlite3.
//
// KASSE_TEST_KILL_AT=before|after: SIGKILL the process at the first COMMIT of a group-commit batch that holds at least
// KASSE_TEST_KILL_MIN_COMMANDS commands (group-commit savepoints) and, when KASSE_TEST_ORDER_PREFIX is set, inserted at least two
// payments whose order id starts with it: right before that COMMIT runs, or right after it returned. Before dying it
// writes the batch (commands, those order ids) to KASSE_TEST_KILL_REPORT.
// KASSE_TEST_BATCH_STATS=<file>: keep in that file how many batches committed, how many held more than one command,
// the largest, and how many commands the batch open right now holds (what a SIGKILL cut off). The preload runs in
// every thread of the process, and the use-case worker's thread has a write connection (and batches) of its own: each
// thread keeps its own file, `<file>` for the main thread and `<file>.thread<id>` for a worker (statsFilesOf below).
import { renameSync, writeFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';

const when = process.env.KASSE_TEST_KILL_AT;
const minCommands = Number(process.env.KASSE_TEST_KILL_MIN_COMMANDS ?? 3);
const prefix = process.env.KASSE_TEST_ORDER_PREFIX;
const report = process.env.KASSE_TEST_KILL_REPORT ?? '';
const statsFile = process.env.KASSE_TEST_BATCH_STATS && (isMainThread ? process.env.KASSE_TEST_BATCH_STATS : `${process.env.KASSE_TEST_BATCH_STATS}.thread${threadId}`);

let savepoints = 0;
let orders = [];
const stats = { batches: 0, multiCommandBatches: 0, largest: 0, openCommands: 0 };

/** Written aside and renamed, so a SIGKILL in the middle leaves the previous state, never half a file. */
function writeStats() {
  if (!statsFile) return;
  writeFileSync(`${statsFile}.tmp`, JSON.stringify({ ...stats, openCommands: savepoints }));
  renameSync(`${statsFile}.tmp`, statsFile);
}

function die() {
  writeFileSync(report, JSON.stringify({ commands: savepoints, orders }));
  process.kill(process.pid, 'SIGKILL');
}

const originalPrepare = Database.prototype.prepare;
Database.prototype.prepare = function prepare(sql) {
  const statement = originalPrepare.call(this, sql);
  const text = sql.trim().toLowerCase();
  const run = statement.run;
  if (text === 'commit') {
    statement.run = function (...args) {
      const armed = when !== undefined && savepoints >= minCommands && (prefix === undefined || orders.length >= 2);
      if (armed && when === 'before') die();
      const result = run.apply(this, args);
      if (armed && when === 'after') die();
      if (savepoints > 0) {
        stats.batches++;
        if (savepoints > 1) stats.multiCommandBatches++;
        stats.largest = Math.max(stats.largest, savepoints);
      }
      savepoints = 0;
      orders = [];
      writeStats();
      return result;
    };
  } else if (text.startsWith('savepoint "kasse_command"')) {
    // One per command of the batch (src/store/group-commit.ts); savepoints inside a command (idempotent effects) are not.
    statement.run = function (...args) {
      savepoints++;
      writeStats();
      return run.apply(this, args);
    };
  } else if (prefix !== undefined && text.startsWith('insert into "payment"')) {
    // run, or all when the insert returns rows.
    for (const method of ['run', 'all']) {
      const original = statement[method];
      statement[method] = function (...args) {
        for (const value of args.flat()) if (typeof value === 'string' && value.startsWith(prefix)) orders.push(value);
        return original.apply(this, args);
      };
    }
  }
  return statement;
};
