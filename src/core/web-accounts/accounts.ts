import { randomUUID } from 'node:crypto';
import { MINUTE_MS } from '../../domain/clock.ts';
import {
  clearFailedLogins,
  findWebAccountByEmail,
  insertWebAccount,
  recordFailedLogin,
} from '../../store/repos/web-accounts.ts';
import type { Executor } from '../../store/db.ts';
import type { WebAccountKind, WebAccountRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { decoyHash, hashPassword, passwordMatches } from './passwords.ts';
import { startSession, type StartedSession } from './sessions.ts';

/** Five wrong passwords in a row lock the account for fifteen minutes (of the sandbox clock). */
export const LOGIN_LOCKOUT = { failuresBeforeLock: 5, lockMs: 15 * MINUTE_MS } as const;

/** E-mails compare without case and surrounding spaces. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface NewWebAccount {
  kind: WebAccountKind;
  email: string;
  password: string;
  merchantId: string | null;
  role: string;
}

/** `db` may be a use case's transaction (the sandbox merchant and its login are created together). */
export async function createWebAccount(db: Executor, nowMs: number, account: NewWebAccount): Promise<WebAccountRow> {
  const row: WebAccountRow = {
    id: randomUUID(),
    kind: account.kind,
    email: normalizedEmail(account.email),
    password_hash: await hashPassword(account.password),
    merchant_id: account.merchantId,
    role: account.role,
    failed_logins: 0,
    locked_until_ms: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  };
  await insertWebAccount(db, row);
  return row;
}

export type LogInOutcome =
  | { ok: true; account: WebAccountRow; session: StartedSession }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'locked'; lockedUntilMs: number };

/**
 * Log in with e-mail and password. A locked account is refused without looking at the password (guessing on stops
 * counting for nothing); a wrong password counts towards the lock; an unknown e-mail costs the same scrypt work as
 * a known one and answers the same "wrong".
 */
export async function logIn(ctx: AppContext, kind: WebAccountKind, email: string, password: string): Promise<LogInOutcome> {
  const account = await findWebAccountByEmail(ctx.store.db, kind, normalizedEmail(email));
  const nowMs = ctx.clock.nowMs();
  if (!account) {
    await passwordMatches(password, await decoyHash());
    return { ok: false, reason: 'wrong' };
  }
  if (account.locked_until_ms !== null && account.locked_until_ms > nowMs) return { ok: false, reason: 'locked', lockedUntilMs: account.locked_until_ms };
  if (!(await passwordMatches(password, account.password_hash))) {
    await recordFailedLogin(ctx.store.db, account.id, {
      nowMs,
      lockAfter: LOGIN_LOCKOUT.failuresBeforeLock,
      lockUntilMs: nowMs + LOGIN_LOCKOUT.lockMs,
    });
    return { ok: false, reason: 'wrong' };
  }
  if (account.failed_logins > 0 || account.locked_until_ms !== null) await clearFailedLogins(ctx.store.db, account.id, nowMs);
  return { ok: true, account, session: await startSession(ctx, account) };
}
