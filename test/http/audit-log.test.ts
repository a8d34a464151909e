// Goal: every operator action is in the audit log — who, what, before, after, when (the injected clock) — whether it
// came through the operator API (actor "api-token") or the CLI (actor "cli" with the OS user), written in the
// transaction of the change; the log is insert-only on both engines and outlives a sandbox reset.
// Method: a live Kasse per engine; changes through the operator API and through the CLI run as a child process on the
// same database; GET /_kasse/admin/audit-log reads them back; UPDATE and DELETE on audit_log are tried directly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { setCaptureType } from '../../src/core/merchants/sales-units.ts';
import { API_TOKEN_ACTOR } from '../../src/core/operators/audit.ts';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { testDialects } from '../support/databases.ts';
import { ADMIN_TOKEN, startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';

const run = promisify(execFile);
const REPO_ROOT = new URL('../../', import.meta.url).pathname;

interface Entry {
  id: number;
  atMs: number;
  actorKind: string;
  actor: string;
  action: string;
  subject: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

for (const dialect of testDialects()) {
  describe(`audit log (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(() => k.close());

    const admin = (path: string, method = 'GET', body?: unknown) =>
      httpRequest(`${k.baseUrl}/_kasse/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(body !== undefined ? { body } : {}) });
    const auditOf = async (subject: string): Promise<Entry[]> => {
      const answer = await admin(`/audit-log?subject=${encodeURIComponent(subject)}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.entries;
    };

    test('operator API changes are recorded as the token’s, with before, after and the injected clock’s time', async () => {
      const merchant = await admin('/merchants', 'POST', { name: 'Audited shop' });
      assert.equal(merchant.status, 201, merchant.text);
      const unit = await admin(`/merchants/${merchant.body.id}/sales-units`, 'POST', { name: 'Audited unit' });
      assert.equal(unit.status, 201, unit.text);
      const msn: string = unit.body.msn;
      k.clock.advance(60_000);
      const changedAtMs = k.clock.nowMs();
      assert.equal((await admin(`/sales-units/${msn}/capture-type`, 'PUT', { captureType: 'direct' })).status, 200);
      assert.equal((await admin(`/sales-units/${msn}/settlement`, 'PUT', { feeBasisPoints: 250, settlementType: 'gross' })).status, 200);
      assert.equal((await admin(`/sales-units/${msn}/deactivate`, 'POST')).status, 200);
      assert.equal((await admin(`/sales-units/${msn}/reactivate`, 'POST')).status, 200);
      const keys = await admin(`/sales-units/${msn}/keys`, 'POST');
      assert.equal(keys.status, 201);
      assert.equal((await admin(`/sales-units/${msn}/keys/${keys.body.clientId}`, 'DELETE')).status, 204);
      assert.equal((await admin(`/sales-units/${msn}`, 'PATCH', { express: false })).status, 200);

      const entries = (await auditOf(msn)).reverse();
      assert.deepEqual(
        entries.map((e) => e.action),
        ['sales-unit.create', 'sales-unit.capture-type', 'sales-unit.settlement', 'sales-unit.deactivate', 'sales-unit.reactivate', 'key.create', 'key.revoke', 'sales-unit.options'],
      );
      assert.ok(entries.every((e) => e.actorKind === 'api-token' && e.actor === 'api-token'));
      const [created, capture, settlement, deactivate, reactivate, keyCreated, keyRevoked, options] = entries as [Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry];
      assert.equal(created.before, null);
      assert.equal(created.after?.capture_type, 'reserve');
      assert.deepEqual([capture.before, capture.after], [{ capture_type: 'reserve' }, { capture_type: 'direct' }]);
      assert.equal(capture.atMs, changedAtMs, 'the time is the injected clock’s');
      assert.deepEqual(settlement.before, { fee_basis_points: 0, settlement_type: 'net' });
      assert.deepEqual(settlement.after, { fee_basis_points: 250, settlement_type: 'gross' });
      assert.deepEqual([deactivate.before, deactivate.after], [{ status: 'active' }, { status: 'deactivated' }]);
      assert.equal(reactivate.before?.status, 'deactivated');
      assert.equal(reactivate.after?.status, 'active');
      assert.deepEqual(keyCreated.after, { client_id: keys.body.clientId }, 'no secret in the log');
      assert.ok(!JSON.stringify(entries).includes(keys.body.clientSecret));
      assert.deepEqual(keyRevoked.before, { client_id: keys.body.clientId, revoked_at_ms: null });
      assert.deepEqual([options.before, options.after], [{ express_allowed: 1 }, { express_allowed: 0 }]);

      const merchantEntries = await auditOf(merchant.body.id);
      assert.deepEqual(merchantEntries.map((e) => [e.action, e.after?.name]), [['merchant.create', 'Audited shop']]);
    });

    test('partner changes through the operator API are recorded too, without secrets', async () => {
      const shop = await MerchantClient.create(k.baseUrl);
      const partner = await admin('/partners', 'POST', { name: 'Audited platform' });
      assert.equal(partner.status, 201, partner.text);
      const id: string = partner.body.id;
      assert.equal((await admin(`/partners/${id}/sales-units`, 'POST', { msn: shop.msn })).status, 201);
      const keys = await admin(`/partners/${id}/keys`, 'POST');
      assert.equal(keys.status, 201, keys.text);
      assert.equal((await admin(`/partners/${id}/keys/${keys.body.clientId}`, 'DELETE')).status, 204);
      assert.equal((await admin(`/partners/${id}/sales-units/${shop.msn}`, 'DELETE')).status, 204);
      const entries = (await auditOf(id)).reverse();
      assert.deepEqual(
        entries.map((e) => [e.action, e.actorKind]),
        [
          ['partner.create', 'api-token'],
          ['partner.attach', 'api-token'],
          ['partner-key.create', 'api-token'],
          ['partner-key.revoke', 'api-token'],
          ['partner.detach', 'api-token'],
        ],
      );
      assert.deepEqual(entries[1]?.after, { msn: shop.msn });
      assert.ok(!JSON.stringify(entries).includes(keys.body.clientSecret), 'no secret in the log');
    });

    test('a refused change writes no audit entry (it is in the transaction of the change)', async () => {
      const shop = await MerchantClient.create(k.baseUrl);
      const before = await auditOf(shop.msn);
      assert.equal((await admin(`/sales-units/${shop.msn}/settlement`, 'PUT', { feeBasisPoints: 10_001 })).status, 400);
      assert.equal((await admin(`/sales-units/${shop.msn}/keys/no-such-key`, 'DELETE')).status, 404);
      assert.deepEqual(await auditOf(shop.msn), before);
      assert.equal((await admin('/audit-log?limit=0')).status, 400, 'limit is checked');
      assert.equal((await admin('/audit-log?limit=201')).status, 400);
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/admin/audit-log`)).status, 401, 'the log needs the operator token');
    });

    // The CLI takes seconds to start under load, and what it records does not depend on the engine (the API test above
    // covers both): it runs on SQLite.
    if (dialect === 'sqlite') test('CLI changes are recorded as "cli" with the OS user who ran it', async () => {
      const shop = await MerchantClient.create(k.baseUrl);
      const cli = (...args: string[]) =>
        run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: k.databaseUrl } });
      await cli('sales-units', 'capture-type', shop.msn, 'direct');
      await cli('sales-units', 'block', shop.msn);
      const printed = JSON.parse((await cli('audit-log', '--subject', shop.msn)).stdout) as Entry[];
      const entries = await auditOf(shop.msn);
      assert.deepEqual(printed, entries, 'the CLI prints the same log');
      const [blocked, capture] = entries as [Entry, Entry];
      assert.deepEqual([capture.actorKind, capture.actor, capture.action, capture.before, capture.after], ['cli', userInfo().username, 'sales-unit.capture-type', { capture_type: 'reserve' }, { capture_type: 'direct' }]);
      assert.deepEqual([blocked.actorKind, blocked.action, blocked.after], ['cli', 'sales-unit.block', { status: 'blocked' }]);
      assert.equal(entries[2]?.actorKind, 'sandbox', 'the sandbox API’s merchant is recorded as the sandbox’s');
    });

    test('the audit log is insert-only: the engine refuses UPDATE and DELETE, and reconcile checks the triggers', async () => {
      const db = k.kasse.store.db;
      await setCaptureType(k.kasse.ctx, API_TOKEN_ACTOR, (await MerchantClient.create(k.baseUrl)).msn, 'direct');
      await assert.rejects(db.updateTable('audit_log').set({ actor: 'someone else' }).execute(), /insert-only/);
      await assert.rejects(db.deleteFrom('audit_log').execute(), /insert-only/);
      await assert.rejects(sql`DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log LIMIT 1)`.execute(db), /insert-only/);
      const report = await reconcile(k.kasse.store);
      assert.equal(report.ok, true, JSON.stringify(report));
    });

    test('a sandbox reset empties the merchants but not the audit log, and records itself', async () => {
      const shop = await MerchantClient.create(k.baseUrl);
      const before = await auditOf(shop.msn);
      assert.equal((await httpRequest(`${k.baseUrl}/_kasse/sandbox/reset`, { method: 'POST' })).status, 200);
      assert.deepEqual(await auditOf(shop.msn), before);
      const [reset] = await auditOf('sandbox');
      assert.deepEqual([reset?.actorKind, reset?.action], ['sandbox', 'sandbox.reset']);
    });
  });
}
