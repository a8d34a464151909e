// Preloaded into a child Kasse (NODE_OPTIONS=--import …) by group-commit-durability.test.ts. It instruments
// better-sqlite3 and SIGKILLs the process at the first COMMIT of a group-commit batch that holds at least
// KASSE_TEST_KILL_MIN_COMMANDS commands (savepoints) and inserted at least two payments whose order id starts with
// KASSE_TEST_ORDER_PREFIX: right before that COMMIT runs (KASSE_TEST_KILL_AT=before) or right after it returned
// (after). Before dying it writes those order ids to KASSE_TEST_KILL_REPORT, so the test knows the batch.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const when = process.env.KASSE_TEST_KILL_AT;
const minCommands = Number(process.env.KASSE_TEST_KILL_MIN_COMMANDS ?? 3);
const prefix = process.env.KASSE_TEST_ORDER_PREFIX ?? '';
const report = process.env.KASSE_TEST_KILL_REPORT ?? '';

let savepoints = 0;
let orders = [];

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
      const armed = savepoints >= minCommands && orders.length >= 2;
      if (armed && when === 'before') die();
      const result = run.apply(this, args);
      if (armed && when === 'after') die();
      savepoints = 0;
      orders = [];
      return result;
    };
  } else if (text.startsWith('savepoint')) {
    statement.run = function (...args) {
      savepoints++;
      return run.apply(this, args);
    };
  } else if (text.startsWith('insert into "payment"')) {
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
