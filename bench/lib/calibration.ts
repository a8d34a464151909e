/**
 * How fast this machine runs Node's kind of work right now: a fixed workload (hashing, JSON, property churn) in a child
 * process of its own, timed. Session 17's machine took 496–1,128 ms for the same workload within an hour, with no
 * steal time in /proc/stat; a benchmark window's rate times the calibration taken beside it compares windows taken
 * at different speeds (bench/README.md, session 17).
 */
import { execFileSync } from 'node:child_process';

const WORKLOAD = `
const { hash } = require('node:crypto');
const started = process.hrtime.bigint();
let sink = 0;
const table = {};
for (let i = 0; i < 150000; i++) {
  sink += hash('sha1', 'x' + i).length;
  table['k' + (i % 1000)] = i;
  sink += JSON.parse(JSON.stringify({ a: i, b: 'y' })).a;
}
process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6) + ' ' + sink);
`;

/** Milliseconds the fixed workload took (less is faster). */
export function calibrationMs(): number {
  const output = execFileSync(process.execPath, ['-e', WORKLOAD], { encoding: 'utf8', timeout: 60_000 });
  return Number(output.split(' ')[0]);
}
