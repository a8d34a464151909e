#!/usr/bin/env node
// The test command (npm test): typecheck, then every test file under test/ with node's test runner.
// The PostgreSQL suite runs when a server answers at KASSE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// without one the run still passes and says plainly that it skipped it. In CI (CI=true) a missing server fails the run.
// The decision is made here, once, and exported as KASSE_TEST_PG=on|off: every test file obeys it
// (test/support/databases.ts) and none probes again. Chromium and the official spec files follow the same rule
// (test/support/requirements.ts): skipped and said plainly outside CI, a failing test under CI=true.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { postgresAnswers } from './pg-probe.mjs';

const root = new URL('..', import.meta.url).pathname;
const pgUrl = process.env.KASSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'support' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : testFiles(join(root, 'test'))).sort();

if (only.length === 0) {
  console.log('typecheck: tsc --noEmit');
  const tsc = spawnSync('npx', ['tsc', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // The browser code (web/) compiles against the DOM, not Node: its own project.
  console.log('typecheck: tsc --noEmit -p web');
  const webTsc = spawnSync('npx', ['tsc', '--noEmit', '-p', 'web'], { cwd: root, stdio: 'inherit' });
  if (webTsc.status !== 0) process.exit(webTsc.status ?? 1);
}

// The transaction-scope check (src/store/transaction-scope.ts) is on in every test process and every Kasse they start.
const env = { ...process.env, KASSE_TEST_PG_URL: pgUrl, KASSE_TEST_PG: 'on', KASSE_CHECK_TRANSACTION_SCOPE: 'on' };
// A generous connect timeout: on a busy machine a slow answer is still an answer.
if (await postgresAnswers(pgUrl, 10_000)) {
  console.log(`PostgreSQL suite: ON (${pgUrl})`);
} else if (process.env.CI === 'true') {
  console.error(`PostgreSQL suite: no server answers at ${pgUrl}; CI must run it (.ci/run starts the local cluster).`);
  process.exit(1);
} else {
  env.KASSE_TEST_PG = 'off';
  console.log(`PostgreSQL suite: SKIPPED — no server answers at ${pgUrl}. Set KASSE_TEST_PG_URL or start PostgreSQL to run it.`);
}

console.log(`running ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env },
);
if (env.KASSE_TEST_PG === 'off') console.log('\nNote: the PostgreSQL suite was SKIPPED (no server).');
process.exit(result.status ?? 1);
