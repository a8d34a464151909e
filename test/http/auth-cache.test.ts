// Property: authentication keeps a verified API key and its sales unit for at most AUTH_CACHE_TTL_MS
// (src/core/auth/key-cache.ts). A change made through a node (revoking the key, blocking or deactivating the unit) is
// refused by that node's very next call; another node on the same database refuses within AUTH_CACHE_TTL_MS.
// Method: real servers on a fake clock. One node: warm its cache, change, call again without moving the clock.
// Two nodes on one PostgreSQL database (one signing key, so one token works on both): warm node B, change through
// node A, then B must refuse once its clock has moved AUTH_CACHE_TTL_MS (and, before that, B shows the cache was used).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { AUTH_CACHE_TTL_MS } from '../../src/core/auth/key-cache.ts';
import { revokeKey } from '../../src/core/merchants/api-keys.ts';
import { setSalesUnitStatus } from '../../src/core/merchants/sales-units.ts';
import { API_TOKEN_ACTOR } from '../../src/core/operators/audit.ts';
import { ManualClock } from '../../src/clock.ts';
import { createKasse } from '../../src/kasse.ts';
import { testDialects } from '../support/databases.ts';
import { ADMIN_TOKEN, TEST_EPOCH_MS, startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest, vippsError } from '../support/merchant-client.ts';

/** The outcome of an authenticated call that passes authentication: 404 for an order that does not exist. */
async function authOutcome(baseUrl: string, merchant: MerchantClient): Promise<string> {
  const result = await httpRequest(`${baseUrl}/ecomm/v2/payments/no-such-order/details`, { method: 'GET', headers: await merchant.authHeaders() });
  if (result.status === 401) return 'unauthorized';
  if (result.status === 403) return vippsError(result.body).errorCode;
  return `passed (${result.status})`;
}

const dialects = await testDialects();

for (const dialect of dialects) {
  describe(`cached authentication, one node (${dialect})`, () => {
    let node: TestKasse;
    after(() => node?.close());

    test('a blocked, a deactivated sales unit and a revoked key are refused by the next call', async () => {
      node = await startTestKasse({ dialect, startJobs: false });
      const merchant = await MerchantClient.create(node.baseUrl);
      const ctx = node.kasse.ctx;
      assert.equal(await authOutcome(node.baseUrl, merchant), 'passed (404)');
      await setSalesUnitStatus(ctx, API_TOKEN_ACTOR, merchant.msn, 'blocked');
      assert.equal(await authOutcome(node.baseUrl, merchant), '31');
      await setSalesUnitStatus(ctx, API_TOKEN_ACTOR, merchant.msn, 'active');
      assert.equal(await authOutcome(node.baseUrl, merchant), 'passed (404)');
      await setSalesUnitStatus(ctx, API_TOKEN_ACTOR, merchant.msn, 'deactivated');
      assert.equal(await authOutcome(node.baseUrl, merchant), '37');
      await setSalesUnitStatus(ctx, API_TOKEN_ACTOR, merchant.msn, 'active');
      assert.equal(await authOutcome(node.baseUrl, merchant), 'passed (404)');
      await revokeKey(ctx, API_TOKEN_ACTOR, merchant.msn, merchant.credentials.clientId);
      assert.equal(await authOutcome(node.baseUrl, merchant), 'unauthorized');
    });
  });
}

if (dialects.includes('postgres')) {
  describe('cached authentication, two nodes on one PostgreSQL database', () => {
    let nodeA: TestKasse;
    let closeB: (() => Promise<void>) | undefined;
    after(async () => {
      await closeB?.();
      await nodeA?.close();
    });

    test(`a change made through node A is refused by node B within ${AUTH_CACHE_TTL_MS} ms`, async () => {
      nodeA = await startTestKasse({ dialect: 'postgres', startJobs: false });
      const clockB = new ManualClock(TEST_EPOCH_MS);
      const kasseB = await createKasse({ databaseUrl: nodeA.databaseUrl, clock: clockB, timeTravel: null, adminToken: ADMIN_TOKEN, startJobs: false });
      await kasseB.app.listen({ port: 0, host: '127.0.0.1' });
      closeB = () => kasseB.close();
      const baseB = `http://127.0.0.1:${(kasseB.app.server.address() as AddressInfo).port}`;
      const merchant = await MerchantClient.create(nodeA.baseUrl);
      const ctxA = nodeA.kasse.ctx;

      const changes: Array<{ change: () => Promise<unknown>; refused: string; undo?: () => Promise<unknown> }> = [
        { change: () => setSalesUnitStatus(ctxA, API_TOKEN_ACTOR, merchant.msn, 'blocked'), refused: '31', undo: () => setSalesUnitStatus(ctxA, API_TOKEN_ACTOR, merchant.msn, 'active') },
        { change: () => setSalesUnitStatus(ctxA, API_TOKEN_ACTOR, merchant.msn, 'deactivated'), refused: '37', undo: () => setSalesUnitStatus(ctxA, API_TOKEN_ACTOR, merchant.msn, 'active') },
        { change: () => revokeKey(ctxA, API_TOKEN_ACTOR, merchant.msn, merchant.credentials.clientId), refused: 'unauthorized' },
      ];
      for (const { change, refused, undo } of changes) {
        // Warm B's cache, change through A: A refuses at once, B still serves what it read (the cache is in use) ...
        clockB.advance(AUTH_CACHE_TTL_MS);
        assert.equal(await authOutcome(baseB, merchant), 'passed (404)');
        await change();
        assert.equal(await authOutcome(nodeA.baseUrl, merchant), refused);
        assert.equal(await authOutcome(baseB, merchant), 'passed (404)');
        // ... until its entry is AUTH_CACHE_TTL_MS old.
        clockB.advance(AUTH_CACHE_TTL_MS - 1);
        assert.equal(await authOutcome(baseB, merchant), 'passed (404)');
        clockB.advance(1);
        assert.equal(await authOutcome(baseB, merchant), refused);
        await undo?.();
      }
    });
  });
}
