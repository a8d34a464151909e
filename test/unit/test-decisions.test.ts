// Goal: every test file obeys the test runner's PostgreSQL decision and never decides on its own; under CI=true the
// decision cannot be "skip". Method: call the one helper the files use (pgAvailable) under each environment.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { pgAvailable, testDialects } from '../support/databases.ts';

function withEnv(pg: string | undefined, ci: string | undefined): void {
  for (const [name, value] of [['KASSE_TEST_PG', pg], ['CI', ci]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

const saved = { pg: process.env.KASSE_TEST_PG, ci: process.env.CI };
afterEach(() => withEnv(saved.pg, saved.ci));

test('the runner said on: every file runs PostgreSQL too', () => {
  withEnv('on', undefined);
  assert.equal(pgAvailable(), true);
  assert.deepEqual(testDialects(), ['sqlite', 'postgres']);
});

test('the runner said off outside CI: SQLite only', () => {
  withEnv('off', undefined);
  assert.equal(pgAvailable(), false);
  assert.deepEqual(testDialects(), ['sqlite']);
});

test('off under CI=true, or no decision at all, is refused loudly instead of guessed', () => {
  withEnv('off', 'true');
  assert.throws(() => pgAvailable(), /CI=true/);
  withEnv(undefined, undefined);
  assert.throws(() => pgAvailable(), /run tests through scripts\/run-tests\.mjs/);
});
