// Goal: operators have accounts of their own (the console's log-in), not one shared token: the CLI adds them, printing
// a made-up password once or taking one from standard input; sandbox mode seeds one operator whose printed login
// survives restarts and sandbox resets; each creation is in the audit log.
// Method: the CLI as a child process on a live Kasse's database; the log-in use case the console uses; the sandbox
// operator as src/main.ts seeds it, then POST /_kasse/sandbox/reset.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { readAuditLog } from '../../src/core/operators/audit.ts';
import { ensureSandboxOperator, SANDBOX_OPERATOR_EMAIL } from '../../src/core/sandbox/sandbox-operator.ts';
import { logIn } from '../../src/core/web-accounts/accounts.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest } from '../support/merchant-client.ts';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;

describe('operator accounts', () => {
  let k: TestKasse;
  before(async () => {
    k = await startTestKasse({ startJobs: false });
  });
  after(() => k.close());

  /** `kasse …` against the test's database, with `input` on standard input. */
  const cli = (args: string[], input = '') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: k.databaseUrl } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input);
    });

  test('kasse operators add prints a made-up password once; it logs in to the console, and only there', async () => {
    const added = await cli(['operators', 'add', 'Kam@Example.com']);
    assert.equal(added.code, 0, added.stderr);
    const login = JSON.parse(added.stdout) as { email: string; password: string };
    assert.equal(login.email, 'kam@example.com');
    assert.ok(login.password.length >= 20);
    assert.equal((await logIn(k.kasse.ctx, 'operator', login.email, login.password)).ok, true);
    assert.equal((await logIn(k.kasse.ctx, 'merchant', login.email, login.password)).ok, false, 'an operator is no portal user');
    const [entry] = await readAuditLog(k.kasse.ctx, { subject: 'kam@example.com' });
    assert.deepEqual([entry?.actorKind, entry?.action, entry?.after], ['cli', 'operator.create', { email: 'kam@example.com', role: 'operator' }]);
    assert.ok(!JSON.stringify(entry).includes(login.password), 'the password is not in the audit log');
  });

  test('--password-stdin takes the password from standard input (never the command line); a short one is refused', async () => {
    const added = await cli(['operators', 'add', 'second@example.com', '--password-stdin'], 'a long enough password\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).password, 'a long enough password');
    assert.equal((await logIn(k.kasse.ctx, 'operator', 'second@example.com', 'a long enough password')).ok, true);
    const refused = await cli(['operators', 'add', 'second@example.com', '--password-stdin'], 'short\n');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /at least 12 characters/);
  });

  test('the sandbox operator is seeded once, printed the same on every start, and comes back after a sandbox reset', async () => {
    const first = await ensureSandboxOperator(k.kasse.ctx);
    assert.equal(first.created, true);
    assert.equal(first.login.email, SANDBOX_OPERATOR_EMAIL);
    const again = await ensureSandboxOperator(k.kasse.ctx);
    assert.deepEqual(again, { created: false, login: first.login });
    assert.equal((await httpRequest(`${k.baseUrl}/_kasse/sandbox/reset`, { method: 'POST' })).status, 200);
    assert.equal((await logIn(k.kasse.ctx, 'operator', first.login.email, first.login.password)).ok, true, 'the printed login works after a reset');
    assert.deepEqual(await ensureSandboxOperator(k.kasse.ctx), { created: false, login: first.login });
  });
});
