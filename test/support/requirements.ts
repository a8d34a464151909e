// What a suite needs from the machine (PostgreSQL, Chromium, the official spec files) and what happens when it is
// missing: outside CI the suite is skipped and the console says so plainly; under CI=true nothing may skip, so a
// missing requirement is a failing test that names it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

export const IN_CI = process.env.CI === 'true';

/**
 * The `skip` option of a suite that needs `what`: false when `missing` is null, else the reason (said on the console).
 * Call it at the top level of the test file: under CI=true a missing requirement also adds a failing test.
 */
export function skipUnless(what: string, missing: string | null): string | false {
  if (missing === null) return false;
  const reason = `${what}: ${missing}`;
  console.log(`SKIPPED — ${reason}.`);
  if (IN_CI) test(`required under CI=true, where no suite may skip: ${what}`, () => assert.fail(reason));
  return reason;
}
