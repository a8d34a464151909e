// Goal: sandbox time travel never makes a callback go out twice (O2: no two workers hold a row at once).
// Regression, found by scale-out.test.ts: leases were measured on the sandbox clock, so a node whose clock travelled
// more than the 30 s lease ahead of another (POST /_kasse/sandbox/clock moves one process's clock) took the rows the
// other node was still sending, and both sent them — as did one node's own drain after a travel with a callback in
// flight. Leases now follow real time (Clock.leaseNowMs); due-ness still follows the sandbox clock.
// Method: Kasse in-process on the clock src/main.ts uses in sandbox mode (AdjustableClock), over a ManualClock standing
// in for real time; a merchant that answers slowly; while dispatcher A is sending, the sandbox clock travels an hour and
// a second dispatcher (another node) runs: it must not take A's row. Real time past the lease still frees a dead
// worker's row.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdjustableClock, ManualClock } from '../../src/clock.ts';
import { OutboundDispatcher } from '../../src/jobs/outbound-dispatcher.ts';
import { createKasse, type Kasse } from '../../src/kasse.ts';
import { claimDueOutboxRows } from '../../src/store/dialect.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { freshDatabase, testDialects, type TestDatabase } from '../support/databases.ts';
import { TEST_EPOCH_MS } from '../support/harness.ts';
import { MerchantClient } from '../support/merchant-client.ts';

const HOUR_MS = 3_600_000;

for (const dialect of testDialects()) {
  describe(`leases and sandbox time travel (${dialect})`, () => {
    let database: TestDatabase;
    let kasse: Kasse;
    let receiver: CallbackReceiver;
    let merchant: MerchantClient;
    const realTime = new ManualClock(TEST_EPOCH_MS);
    const sandboxClock = new AdjustableClock(realTime);

    before(async () => {
      database = await freshDatabase(dialect);
      receiver = await new CallbackReceiver().start();
      kasse = await createKasse({
        databaseUrl: database.url,
        clock: sandboxClock,
        timeTravel: { advance: async (ms) => sandboxClock.advance(ms), backToRealTime: async () => sandboxClock.resetOffset() },
        startJobs: false,
        config: { callbackTimeoutMs: 5_000 },
      });
      await kasse.app.listen({ port: 0, host: '127.0.0.1' });
      const address = kasse.app.server.address();
      const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
      kasse.ctx.config.publicUrl = baseUrl;
      merchant = await MerchantClient.create(baseUrl, { rateLimits: false });
    });
    after(async () => {
      await kasse.close();
      await receiver.close();
      await database.drop();
    });

    async function reservedWithCallback(orderId: string): Promise<void> {
      merchant = new MerchantClient(merchant.baseUrl, merchant.credentials); // a fresh token: earlier travel expired the old one
      const initiated = await merchant.initiate(orderId, 10_000, { merchantInfo: { callbackPrefix: `${receiver.url}/cb` } });
      assert.equal(initiated.status, 200, initiated.text);
      assert.equal((await merchant.approve(orderId, initiated.body.url)).status, 200);
    }

    test('a travel while a callback is in flight: no other dispatcher takes the row, it is sent once', async () => {
      await reservedWithCallback('travel-in-flight');
      receiver.behave = () => ({ delayMs: 400 });
      const sending = kasse.jobs.dispatcher.runDue();
      await receiver.waitFor(1);
      sandboxClock.advance(HOUR_MS);
      const otherNode = new OutboundDispatcher(kasse.ctx);
      assert.equal(await otherNode.runDue(), 0, 'the other node finds nothing to send');
      assert.equal(await sending, 1);
      receiver.behave = () => ({});
      const paths = receiver.requests.filter((r) => r.url === '/cb/v2/payments/travel-in-flight');
      assert.equal(paths.length, 1, 'the merchant got the callback once');
      const row = await kasse.store.db.selectFrom('outbox').selectAll().where('order_id', '=', 'travel-in-flight').executeTakeFirstOrThrow();
      assert.equal(row.state, 'delivered');
      assert.equal(row.attempts, 1);
    });

    test("a dead worker's lease still lapses after the lease period of real time", async () => {
      await reservedWithCallback('dead-worker');
      const claimed = await claimDueOutboxRows(kasse.store.db, kasse.store.kind, {
        owner: 'dead-worker',
        nowMs: sandboxClock.nowMs(),
        leaseNowMs: sandboxClock.leaseNowMs(),
        leaseMs: 30_000,
        limit: 10,
      });
      assert.equal(claimed.length, 1);
      sandboxClock.advance(HOUR_MS);
      assert.equal(await kasse.jobs.dispatcher.runDue(), 0, 'travel alone does not free the row');
      realTime.advance(31_000);
      assert.equal(await kasse.jobs.dispatcher.runDue(), 1, 'real time past the lease does');
      const row = await kasse.store.db.selectFrom('outbox').selectAll().where('order_id', '=', 'dead-worker').executeTakeFirstOrThrow();
      assert.equal(row.state, 'delivered');
    });
  });
}
