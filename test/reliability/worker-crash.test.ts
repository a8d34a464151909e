// Goal: when the use-case worker thread ends unexpectedly, Kasse does not go on half alive (answering reads while
// nothing can write): the call in flight gets no 200, `npm start` logs why and exits with code 1 so that its supervisor
// starts it again, and started again on the same database it serves what was committed before, and nothing of the
// batch the thread died in.
// Method: a child Kasse (KASSE_USE_CASE_WORKER=on) with a preload (support/crash-worker-thread.mjs) that ends the
// worker thread as it is about to insert one chosen order; one payment before it, then that order; the child must exit
// by itself; then the same child starts again without the preload's trigger.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { httpRequest, MerchantClient } from '../support/merchant-client.ts';
import { ChildKasse, REPO_ROOT, stopAllChildren } from './support/child-kasse.ts';

const PRELOAD = join(REPO_ROOT, 'test/reliability/support/crash-worker-thread.mjs');

after(() => stopAllChildren());

test('the use-case worker thread dies: the call in flight fails, Kasse exits 1, and restarts on what was committed', { timeout: 180_000 }, async () => {
  const database = await freshDatabase('sqlite');
  const child = await ChildKasse.start({
    databaseUrl: database.url,
    name: 'worker-crash',
    env: {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(),
      KASSE_USE_CASE_WORKER: 'on',
      KASSE_TEST_CRASH_WORKER_ORDER: 'worker-crash-2',
    },
  });
  try {
    assert.match(child.output(), /payments written by a worker thread/);
    const merchant = await MerchantClient.create(child.baseUrl);
    assert.equal((await merchant.initiate('worker-crash-1', 1000)).status, 200);

    const inFlight = await httpRequest(`${child.baseUrl}/ecomm/v2/payments`, {
      method: 'POST',
      headers: await merchant.authHeaders(),
      body: merchant.initiateBody('worker-crash-2', 1000),
    }).then(
      (result) => result.status,
      () => 'no answer' as const,
    );
    assert.notEqual(inFlight, 200, 'the initiate whose batch never committed was not acknowledged');
    assert.ok(await child.exitedWithin(15_000), `Kasse went on without its worker:\n${child.output()}`);
    assert.deepEqual(child.lastExit, { code: 1, signal: null });
    assert.match(child.output(), /cannot go on/);
    assert.match(child.output(), /use-case worker exited \(code 70\)/);

    await child.start({ KASSE_TEST_CRASH_WORKER_ORDER: '' });
    assert.equal((await merchant.call('GET', '/ecomm/v2/payments/worker-crash-1/details')).status, 200);
    assert.equal((await merchant.call('GET', '/ecomm/v2/payments/worker-crash-2/details')).status, 404);
    assert.equal((await merchant.initiate('worker-crash-2', 1000)).status, 200);
  } finally {
    await child.stop();
    await database.drop();
  }
});
