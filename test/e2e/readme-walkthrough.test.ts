// Goal: the README's curl walk-through works as printed, and works again when run a second time (it once used a fixed
// orderId and fixed X-Request-Ids, so a second run failed at initiate and then "succeeded" through replayed captures).
// Method: Kasse as `npm start` runs it (a child process of src/main.ts, fresh SQLite database); the shell block under
// "A payment in ten curl lines" is taken from README.md and run twice by bash after the `export` line from the banner.
// Every run must show each answer: initiate's url, force approve's status, the capture and the refund, the details.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { ChildKasse, REPO_ROOT } from '../reliability/support/child-kasse.ts';

function walkthroughBlock(): string {
  const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## A payment in ten curl lines'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'README.md has the walk-through block');
  return block;
}

function exportLine(output: string): string {
  const line = /(export B=.*)$/m.exec(output)?.[1];
  assert.ok(line, `the banner prints an export line:\n${output}`);
  return line;
}

const toolsMissing = ['curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

describe('README walk-through', { skip: toolsMissing.length > 0 && process.env.CI !== 'true' ? `needs ${toolsMissing.join(' and ')}` : false }, () => {
  let kasse: ChildKasse;
  let drop: () => Promise<void>;
  before(async () => {
    const database = await freshDatabase('sqlite');
    drop = database.drop;
    kasse = await ChildKasse.start({ databaseUrl: database.url });
  });
  after(async () => {
    await kasse?.stop();
    await drop?.();
  });

  test('runs twice in a row, each time a complete payment with every answer printed', { timeout: 60_000 }, () => {
    const script = `${exportLine(kasse.output())}\n${walkthroughBlock()}`;
    const orderIds: string[] = [];
    for (let run = 1; run <= 2; run++) {
      const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.status, 0, `run ${run} exits 0:\n${output}`);
      assert.doesNotMatch(output, /errorCode/, `run ${run} shows no error:\n${output}`);
      const initiated = /^initiate: (\{.*\})$/m.exec(result.stdout)?.[1];
      assert.ok(initiated, `run ${run} prints initiate's answer:\n${output}`);
      const { orderId, url } = JSON.parse(initiated) as { orderId: string; url: string };
      assert.match(url, /token=/);
      orderIds.push(orderId);
      assert.match(result.stdout, /^force approve: HTTP 200$/m, `run ${run}: force approve's answer is printed`);
      assert.match(result.stdout, /^capture: .*"status":"Captured"/m, `run ${run}: the capture`);
      assert.match(result.stdout, /^refund: .*"status":"Refund"/m, `run ${run}: the refund`);
      const details = JSON.parse(result.stdout.slice(result.stdout.indexOf('\n{') + 1)) as {
        orderId: string;
        transactionLogHistory: Array<{ operation: string }>;
      };
      assert.equal(details.orderId, orderId);
      assert.deepEqual(details.transactionLogHistory.map((e) => e.operation), ['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE']);
    }
    assert.notEqual(orderIds[0], orderIds[1], 'each run makes its own order');
  });
});
