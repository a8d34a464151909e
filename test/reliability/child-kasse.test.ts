// Goal: a Kasse child never outlives the test process that started it, however that process ends — even by SIGKILL,
// which runs no exit handler (the guarantee behind every reliability test that starts children).
// Method: a fixture process starts a child through ChildKasse and prints its pid; we SIGKILL the fixture and expect the
// child (whose stdin pipe from the fixture closes) to be gone within a bounded time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { REPO_ROOT } from './support/child-kasse.ts';

function alive(pid: number): boolean {
  try {
    // A zombie still answers kill(0) until it is reaped; it is dead for our purpose.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('SIGKILL of the owning process takes its Kasse child down too', { timeout: 120_000 }, async () => {
  const database = await freshDatabase('sqlite');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const owner = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/support/hold-child.ts', database.url], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let childPid = 0;
  try {
    let output = '';
    childPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no child pid within 90 s: ${output}`)), 90_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /CHILD (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      owner.stdout.on('data', read);
      owner.stderr.on('data', read);
      owner.once('exit', (code) => reject(new Error(`fixture ended (${code}) before starting a child: ${output}`)));
    });
    assert.ok(alive(childPid), 'the child runs while its owner does');
    owner.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(childPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(childPid), false, `child ${childPid} outlived its owner`);
  } finally {
    owner.kill('SIGKILL');
    if (childPid > 0 && alive(childPid)) process.kill(childPid, 'SIGKILL');
    await database.drop();
  }
});
