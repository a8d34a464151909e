// Goal: the log-in rules of every web front end (portal, console) hold on both engines: passwords are scrypt hashes
// (never the password), a wrong password counts towards a lockout of LOGIN_LOCKOUT after N failures in a row, a lock
// ends by the (sandbox) clock, an unknown e-mail answers like a wrong password, sessions end after the idle timeout,
// never outlive the absolute lifetime, end on log-out, and belong to one kind of front end.
// Method: the core use cases against a real test Kasse per engine, moving its fake clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWebAccount, LOGIN_LOCKOUT, logIn } from '../../src/core/web-accounts/accounts.ts';
import { csrfTokenMatches, currentSession, endSession, SESSION_IDLE_MS, SESSION_MAX_MS } from '../../src/core/web-accounts/sessions.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

for (const dialect of testDialects()) {
  describe(`web accounts and sessions (${dialect})`, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect, startJobs: false });
    });
    after(() => k.close());

    const create = (email: string, password: string) =>
      createWebAccount(k.kasse.store.db, k.clock.nowMs(), { kind: 'operator', email, password, merchantId: null, role: 'operator' });

    test('the password is stored as a scrypt hash; e-mails compare without case', async () => {
      const account = await create('Ops@Example.com', 'correct horse battery');
      assert.match(account.password_hash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      assert.ok(!account.password_hash.includes('correct horse'));
      const outcome = await logIn(k.kasse.ctx, 'operator', ' OPS@example.com ', 'correct horse battery');
      assert.ok(outcome.ok);
      assert.equal((await logIn(k.kasse.ctx, 'merchant', 'ops@example.com', 'correct horse battery')).ok, false, 'an operator is no portal user');
    });

    test(`${LOGIN_LOCKOUT.failuresBeforeLock} wrong passwords lock the account until the clock passes the lock; a right one before that is refused too`, async () => {
      await create('locked@example.com', 'right password 1');
      for (let n = 1; n < LOGIN_LOCKOUT.failuresBeforeLock; n++) {
        assert.deepEqual(await logIn(k.kasse.ctx, 'operator', 'locked@example.com', `wrong ${n}`), { ok: false, reason: 'wrong' });
      }
      assert.deepEqual(await logIn(k.kasse.ctx, 'operator', 'locked@example.com', 'wrong again'), { ok: false, reason: 'wrong' });
      const locked = await logIn(k.kasse.ctx, 'operator', 'locked@example.com', 'right password 1');
      assert.deepEqual(locked, { ok: false, reason: 'locked', lockedUntilMs: k.clock.nowMs() + LOGIN_LOCKOUT.lockMs });
      k.clock.advance(LOGIN_LOCKOUT.lockMs);
      assert.ok((await logIn(k.kasse.ctx, 'operator', 'locked@example.com', 'right password 1')).ok, 'the lock ended');
    });

    test('a success resets the count: failures must be in a row', async () => {
      await create('row@example.com', 'right password 2');
      for (let round = 0; round < 2; round++) {
        for (let n = 1; n < LOGIN_LOCKOUT.failuresBeforeLock; n++) await logIn(k.kasse.ctx, 'operator', 'row@example.com', 'wrong');
        assert.ok((await logIn(k.kasse.ctx, 'operator', 'row@example.com', 'right password 2')).ok);
      }
    });

    test('an unknown e-mail answers exactly like a wrong password', async () => {
      assert.deepEqual(await logIn(k.kasse.ctx, 'operator', 'nobody@example.com', 'whatever'), { ok: false, reason: 'wrong' });
    });

    test('a session lives while used, ends after the idle timeout, never outlives its maximum, ends on log-out', async () => {
      await create('session@example.com', 'right password 3');
      const login = await logIn(k.kasse.ctx, 'operator', 'session@example.com', 'right password 3');
      assert.ok(login.ok);
      const { token, csrfToken } = login.session;
      const live = await currentSession(k.kasse.ctx, 'operator', token);
      assert.equal(live?.account.email, 'session@example.com');
      assert.ok(live && csrfTokenMatches(live.session, csrfToken) && !csrfTokenMatches(live.session, `${csrfToken}x`));
      assert.equal(await currentSession(k.kasse.ctx, 'merchant', token), undefined, 'a console session does not open the portal');
      // Used every 20 minutes it lives on, up to the absolute maximum.
      for (let usedMs = 0; usedMs + 20 * 60_000 < SESSION_MAX_MS; usedMs += 20 * 60_000) {
        k.clock.advance(20 * 60_000);
        assert.ok(await currentSession(k.kasse.ctx, 'operator', token), `still live after ${usedMs / 60_000 + 20} minutes`);
      }
      k.clock.advance(20 * 60_000);
      assert.equal(await currentSession(k.kasse.ctx, 'operator', token), undefined, 'past the maximum lifetime');

      const again = await logIn(k.kasse.ctx, 'operator', 'session@example.com', 'right password 3');
      assert.ok(again.ok);
      k.clock.advance(SESSION_IDLE_MS);
      assert.equal(await currentSession(k.kasse.ctx, 'operator', again.session.token), undefined, 'idle too long');

      const third = await logIn(k.kasse.ctx, 'operator', 'session@example.com', 'right password 3');
      assert.ok(third.ok);
      await endSession(k.kasse.ctx, third.session.token);
      assert.equal(await currentSession(k.kasse.ctx, 'operator', third.session.token), undefined, 'logged out');
    });
  });
}
