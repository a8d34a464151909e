// Goal: on SQLite no answer leaves Kasse before the group-commit batch that holds its transaction is durable, and a
// batch is all or nothing across a crash (DESIGN test method 6; src/store/group-commit.ts).
// Method: a child Kasse with a preload (support/kill-at-commit.mjs) that SIGKILLs it at the COMMIT of the first batch
// of at least 3 commands holding at least 2 of our initiates, either right before the COMMIT runs or right after it
// returned, and reports that batch's order ids. Many initiates are sent at once; afterwards Kasse is started again
// (without the preload) and every order is looked up. Before: none of the batch's orders was answered, none exists;
// after: all exist (and none was answered either: the process died before answering). In both: every initiate that
// was answered 200 exists (nothing acknowledged is lost).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { ChildKasse, REPO_ROOT, stopAllChildren } from './support/child-kasse.ts';

const PRELOAD = join(REPO_ROOT, 'test/reliability/support/kill-at-commit.mjs');
const REQUESTS = 60;

describe('group commit across SIGKILL (sqlite)', () => {
  after(() => stopAllChildren());

  for (const when of ['before', 'after'] as const) {
    test(`killed right ${when} a batch's COMMIT: nothing answered is lost, the batch is all or nothing`, { timeout: 180_000 }, async () => {
      const database = await freshDatabase('sqlite');
      const report = join(tmpdir(), `kasse-kill-report-${process.pid}-${when}.json`);
      rmSync(report, { force: true });
      const prefix = `gc-${when}-`;
      const child = await ChildKasse.start({
        databaseUrl: database.url,
        name: `kill-${when}-commit`,
        env: {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(),
          KASSE_TEST_KILL_AT: when,
          KASSE_TEST_KILL_MIN_COMMANDS: '3',
          KASSE_TEST_ORDER_PREFIX: prefix,
          KASSE_TEST_KILL_REPORT: report,
        },
      });
      try {
        const merchant = await MerchantClient.create(child.baseUrl);
        // Authenticated calls first, as many at once as the burst: the token's first verification is an async crypto
        // job, and connecting takes turns of the event loop; either would spread the burst thin.
        await merchant.call('GET', `/ecomm/v2/payments/${prefix}warm-up/details`);
        await Promise.all(Array.from({ length: REQUESTS }, () => merchant.call('GET', `/ecomm/v2/payments/${prefix}warm-up/details`)));
        const orderIds = Array.from({ length: REQUESTS }, (_, i) => `${prefix}${i}`);
        // A few one at a time (batches of one: answered before the kill), then the rest at once.
        const sequential: Array<number | 'no answer'> = [];
        for (const orderId of orderIds.slice(0, 5)) sequential.push((await merchant.initiate(orderId, 1000)).status);
        const burst = await Promise.all(
          orderIds.slice(5).map((orderId) =>
            merchant.initiate(orderId, 1000).then(
              (result) => result.status,
              () => 'no answer' as const,
            ),
          ),
        );
        const answers = [...sequential, ...burst];
        const deadline = Date.now() + 30_000;
        while (child.running && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(child.running, false, `the preload never found a batch to kill at:\n${child.output()}`);
        const killed = JSON.parse(readFileSync(report, 'utf8')) as { commands: number; orders: string[] };
        assert.ok(killed.commands >= 3 && killed.orders.length >= 2, JSON.stringify(killed));

        await child.start();
        const exists = new Map<string, boolean>();
        for (const orderId of orderIds) {
          const details = await merchant.call('GET', `/ecomm/v2/payments/${orderId}/details`);
          assert.ok(details.status === 200 || details.status === 404, `details ${orderId}: ${details.status} ${details.text}`);
          exists.set(orderId, details.status === 200);
        }
        const acknowledged = orderIds.filter((_, i) => answers[i] === 200);
        assert.ok(acknowledged.length > 0, 'some initiates were answered before the kill');
        for (const orderId of acknowledged) assert.ok(exists.get(orderId), `${orderId} was answered 200 but is gone after the crash`);
        for (const orderId of killed.orders) {
          assert.notEqual(answers[orderIds.indexOf(orderId)], 200, `${orderId} was answered before its batch committed`);
          assert.equal(exists.get(orderId), when === 'after', `${orderId} of the batch killed ${when} its COMMIT`);
        }
      } finally {
        await child.stop();
        rmSync(report, { force: true });
        await database.drop();
      }
    });
  }
});
