// Goal: the simulated app's sign-in holds in production: phone number and PIN (scrypt, compared in constant time),
// lockout after 5 wrong PINs for 15 minutes, sessions in the database that expire after 30 minutes (httpOnly,
// SameSite=Strict, Secure over https), CSRF refused, a request confirmed only by the user it was pushed to; and
// production refuses to start without the operator credential.
// Method: a real Kasse in production mode per engine; the fake clock moves time; the operator API creates users.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createKasse } from '../../src/kasse.ts';
import { PRODUCTION_ADMIN_TOKEN, TEST_EPOCH_MS, startTestKasse, type TestKasse } from '../support/harness.ts';
import { freshDatabase, testDialects } from '../support/databases.ts';
import { sessionCookieOf, signInRequest, signInToApp } from '../support/app-session.ts';
import { MerchantClient, httpRequest, type Credentials } from '../support/merchant-client.ts';

const MINUTE_MS = 60_000;

for (const dialect of testDialects()) {
  describe(`app sign-in in production (${dialect})`, () => {
    let k: TestKasse;
    let merchant: MerchantClient;
    let counter = 0;

    const operator = async (method: string, path: string, body?: unknown) => {
      const result = await httpRequest(`${k.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${PRODUCTION_ADMIN_TOKEN}` }, ...(body !== undefined ? { body } : {}) });
      assert.ok(result.status >= 200 && result.status < 300, `${method} ${path}: ${result.status} ${result.text}`);
      return result.body;
    };
    const newUser = async (pin: string) => {
      const msisdn = `9${String(4_000_000 + ++counter).padStart(7, '0')}`;
      await operator('POST', '/_kasse/admin/users', { msisdn, pin });
      return msisdn;
    };
    /** A payment of the test merchant, pushed from the landing page to `msisdn`. */
    const pushedTo = async (msisdn: string) => {
      const initiated = await merchant.initiate(`order-${++counter}`, 10_000);
      const token = MerchantClient.tokenOf(initiated.body.url);
      const pushed = await httpRequest(`${k.baseUrl}/_kasse/landing/${token}/push`, { method: 'POST', body: { mobileNumber: msisdn } });
      assert.equal(pushed.status, 200, pushed.text);
      return { token, orderId: initiated.body.orderId as string };
    };

    before(async () => {
      k = await startTestKasse({ dialect, config: { mode: 'production' }, adminToken: PRODUCTION_ADMIN_TOKEN });
      const m = await operator('POST', '/_kasse/admin/merchants', { name: 'Shop' });
      const unit = await operator('POST', `/_kasse/admin/merchants/${m.id}/sales-units`, { name: 'Shop web', rateLimits: false });
      merchant = new MerchantClient(k.baseUrl, (await operator('POST', `/_kasse/admin/sales-units/${unit.msn}/keys`)) as Credentials);
    });
    after(() => k?.close());

    test('the PIN is stored as a salted scrypt hash, never as itself', async () => {
      const one = await newUser('24680');
      const two = await newUser('24680');
      const rows = await k.kasse.store.db.selectFrom('app_user_pin').select(['msisdn', 'pin_hash']).where('msisdn', 'in', [one, two]).execute();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        assert.match(row.pin_hash, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
        assert.ok(!row.pin_hash.includes('24680'));
      }
      assert.notEqual(rows[0]!.pin_hash, rows[1]!.pin_hash, 'each PIN has its own salt');
    });

    test('the right PIN signs in with an httpOnly, SameSite=Strict cookie scoped to the app (Secure when Kasse is served over https)', async () => {
      const msisdn = await newUser('13579');
      const answer = await signInRequest(k.baseUrl, msisdn, '13579');
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.msisdn, msisdn);
      assert.equal(answer.body.expiresAt, new Date(k.clock.nowMs() + 30 * MINUTE_MS).toISOString());
      const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('kasse_app_session='))!;
      assert.match(cookie, /; HttpOnly/i);
      assert.match(cookie, /; SameSite=Strict/i);
      assert.match(cookie, /; Path=\/_kasse\/app/);
      assert.doesNotMatch(cookie, /; Secure/i);
      const publicUrl = k.kasse.ctx.config.publicUrl;
      k.kasse.ctx.config.publicUrl = 'https://kasse.example.com';
      try {
        const overHttps = await signInRequest(k.baseUrl, msisdn, '13579');
        assert.match(overHttps.headers.getSetCookie().join('\n'), /; Secure/i);
      } finally {
        k.kasse.ctx.config.publicUrl = publicUrl;
      }
      // The cookie's token is kept only as its SHA-256.
      const token = decodeURIComponent(sessionCookieOf(answer).split('=')[1]!);
      const stored = await k.kasse.store.db.selectFrom('app_session').select('token_sha256').where('msisdn', '=', msisdn).execute();
      assert.ok(stored.length >= 1 && stored.every((s) => s.token_sha256 !== token && /^[0-9a-f]{64}$/.test(s.token_sha256)));
    });

    test('5 wrong PINs lock the number for 15 minutes (parallel guesses included); then the right PIN works again', async () => {
      const msisdn = await newUser('11223');
      const wrong = await signInRequest(k.baseUrl, msisdn, '99999');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body[0].errorCode, 'wrong_number_or_pin');
      // An unknown number gets the very same answer.
      const unknown = await signInRequest(k.baseUrl, '95999999', '99999');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body[0].errorCode, 'wrong_number_or_pin');
      // 20 guesses at once: at most the 4 attempts left are checked, the rest are refused as locked.
      const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => signInRequest(k.baseUrl, msisdn, String(10_000 + i))));
      assert.equal(guesses.filter((g) => g.status === 401).length, 3);
      assert.equal(guesses.filter((g) => g.status === 429).length, 17);
      const locked = await signInRequest(k.baseUrl, msisdn, '11223');
      assert.equal(locked.status, 429, 'the right PIN too, while locked');
      assert.equal(locked.body[0].errorCode, 'locked');
      assert.equal(locked.body[0].errorMessage, 'Too many wrong PINs: this number is locked for 15 minutes.');
      assert.equal(locked.headers.get('retry-after'), String(15 * 60));
      await k.advance(15 * MINUTE_MS - 1_000);
      assert.equal((await signInRequest(k.baseUrl, msisdn, '11223')).status, 429);
      await k.advance(1_000);
      assert.equal((await signInRequest(k.baseUrl, msisdn, '11223')).status, 200);
      // A success forgives the earlier failures: 4 more wrong ones do not lock.
      for (let i = 0; i < 4; i++) assert.equal((await signInRequest(k.baseUrl, msisdn, '99999')).status, 401);
      assert.equal((await signInRequest(k.baseUrl, msisdn, '11223')).status, 200);
    });

    test('a session expires 30 minutes after sign-in; signing out ends it at once', async () => {
      const msisdn = await newUser('55555');
      const user = await signInToApp(k.baseUrl, msisdn, '55555');
      assert.equal((await user.request('GET', '/_kasse/app/api/session')).status, 200);
      await k.advance(30 * MINUTE_MS - 1);
      assert.equal((await user.request('GET', `/_kasse/app/api/users/${msisdn}`)).status, 200);
      await k.advance(1);
      const expired = await user.request('GET', `/_kasse/app/api/users/${msisdn}`);
      assert.equal(expired.status, 401);
      assert.equal(expired.body[0].errorCode, 'not_signed_in');
      const again = await signInToApp(k.baseUrl, msisdn, '55555');
      assert.equal((await again.request('POST', '/_kasse/app/api/session/sign-out')).status, 200);
      assert.equal((await again.request('GET', '/_kasse/app/api/session')).status, 401);
    });

    test('CSRF: a state-changing call without the session’s token, or with another session’s, is refused; sign-in needs the app’s header', async () => {
      const msisdn = await newUser('77777');
      const user = await signInToApp(k.baseUrl, msisdn, '77777');
      const other = await signInToApp(k.baseUrl, await newUser('77777'), '77777');
      const { token } = await pushedTo(msisdn);
      const confirmPath = `${k.baseUrl}/_kasse/app/api/payments/${token}/confirm`;
      for (const headers of [{ cookie: user.headers.cookie! }, { cookie: user.headers.cookie!, 'x-csrf-token': other.headers['x-csrf-token']! }]) {
        const refused = await httpRequest(confirmPath, { method: 'POST', headers, body: { msisdn } });
        assert.equal(refused.status, 403, refused.text);
        assert.equal(refused.body[0].errorCode, 'csrf');
      }
      const signInWithoutHeader = await signInRequest(k.baseUrl, msisdn, '77777', {});
      assert.equal(signInWithoutHeader.status, 403);
      const details = await merchant.call('GET', `/ecomm/v2/payments/${(await k.kasse.store.db.selectFrom('payment').innerJoin('payment_session', 'payment_session.payment_id', 'payment.id').select('order_id').where('landing_token', '=', token).executeTakeFirstOrThrow()).order_id}/details`);
      assert.equal(details.body.transactionLogHistory.length, 1, 'still only INITIATE');
      assert.equal((await user.request('POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn })).body.result, 'approved');
    });

    test('only the user a request was pushed to can confirm, reject or see it as theirs; the wrong user changes nothing', async () => {
      const victim = await newUser('24242');
      const attacker = await signInToApp(k.baseUrl, await newUser('42424'), '42424');
      const { token, orderId } = await pushedTo(victim);
      for (const [method, path, body] of [
        ['POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn: attacker.msisdn }],
        ['POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn: victim }],
        ['POST', `/_kasse/app/api/payments/${token}/reject`, undefined],
        ['GET', `/_kasse/app/api/users/${victim}`, undefined],
      ] as const) {
        const refused = await attacker.request(method, path, body);
        assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
        assert.equal(refused.body[0].errorCode, 'other_user');
      }
      const status = await merchant.call('GET', `/ecomm/v2/payments/${orderId}/details`);
      assert.deepEqual(status.body.transactionLogHistory.map((e: { operation: string }) => e.operation), ['INITIATE']);
      const owner = await signInToApp(k.baseUrl, victim, '24242');
      assert.equal((await owner.request('POST', `/_kasse/app/api/payments/${token}/confirm`, { msisdn: victim })).body.result, 'approved');
    });

    test('the operator CLI creates a user with a PIN and a card, and sets a new PIN', async () => {
      const cli = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['bin/kasse.mjs', ...args], { cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, DATABASE_URL: k.databaseUrl } });
      const created = JSON.parse((await cli('users', 'create', '--msisdn', '96000001', '--pin', '24601', '--last-name', 'Cli', '--available-ore', '25000')).stdout);
      assert.equal(created.lastName, 'Cli');
      assert.deepEqual(created.cards.map((c: { availableOre: number; bankId: string }) => [c.availableOre, c.bankId]), [[25_000, 'kassebanken']]);
      assert.equal((await signInRequest(k.baseUrl, '96000001', '24601')).status, 200);
      await cli('users', 'set-pin', '96000001', '--pin', '10203');
      assert.equal((await signInRequest(k.baseUrl, '96000001', '24601')).status, 401);
      assert.equal((await signInRequest(k.baseUrl, '96000001', '10203')).status, 200);
    });

    test('the operator’s new PIN ends the user’s sessions and lifts a lockout', async () => {
      const msisdn = await newUser('31313');
      const user = await signInToApp(k.baseUrl, msisdn, '31313');
      for (let i = 0; i < 5; i++) await signInRequest(k.baseUrl, msisdn, '99999');
      assert.equal((await signInRequest(k.baseUrl, msisdn, '31313')).status, 429);
      await operator('PUT', `/_kasse/admin/users/${msisdn}/pin`, { pin: '86420' });
      assert.equal((await user.request('GET', '/_kasse/app/api/session')).status, 401);
      assert.equal((await signInRequest(k.baseUrl, msisdn, '31313')).status, 401);
      assert.equal((await signInRequest(k.baseUrl, msisdn, '86420')).status, 200);
    });
  });
}

describe('production refuses to start without the operator credential', () => {
  test('loadConfig and createKasse refuse, naming KASSE_ADMIN_TOKEN', async () => {
    assert.throws(() => loadConfig({ KASSE_MODE: 'production' }), /KASSE_MODE=production needs KASSE_ADMIN_TOKEN/);
    assert.throws(() => loadConfig({ KASSE_MODE: 'production', KASSE_ADMIN_TOKEN: 'short' }), /at least 32 characters/);
    assert.equal(loadConfig({ KASSE_MODE: 'production', KASSE_ADMIN_TOKEN: PRODUCTION_ADMIN_TOKEN }).adminToken, PRODUCTION_ADMIN_TOKEN);
    const database = await freshDatabase('sqlite');
    try {
      await assert.rejects(
        createKasse({ databaseUrl: database.url, clock: new ManualClock(TEST_EPOCH_MS), timeTravel: null, config: { mode: 'production' }, adminToken: null }),
        /KASSE_MODE=production needs KASSE_ADMIN_TOKEN/,
      );
    } finally {
      await database.drop();
    }
  });

  test('npm start in production without KASSE_ADMIN_TOKEN exits 1 with the message, before it listens', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KASSE_MODE: 'production', DATABASE_URL: 'sqlite::memory:', PORT: '0' };
    delete env.KASSE_ADMIN_TOKEN;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: new URL('../..', import.meta.url).pathname, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /KASSE_MODE=production needs KASSE_ADMIN_TOKEN/);
    assert.doesNotMatch(run.stdout, /listening/);
  });
});
