import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../../domain/refusals.ts';
import {
  claimPinAttempt,
  clearPinFailures,
  deleteAppSession,
  deleteAppSessionsOf,
  deleteExpiredAppSessions,
  findLiveAppSession,
  findPin,
  insertAppSession,
  savePin,
} from '../../store/repos/app-sign-in.ts';
import { findTestUser } from '../../store/repos/users.ts';
import type { Executor } from '../../store/db.ts';
import { hashPin, pinMatches, spendPinCheck } from '../auth/pins.ts';
import { APP_SESSION_MINUTES, MAX_PIN_FAILURES, PIN_LOCKOUT_MINUTES, PIN_PATTERN } from '../../shared/app-sign-in.ts';
import { sha256Hex } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { resolveTestUser } from '../users/test-users.ts';

export const PIN_LOCKOUT_MS = PIN_LOCKOUT_MINUTES * 60_000;
export const APP_SESSION_LIFETIME_MS = APP_SESSION_MINUTES * 60_000;

export interface AppSession {
  msisdn: string;
  csrfToken: string;
  expiresAtMs: number;
}

export type SignInResult =
  | { ok: true; token: string; session: AppSession }
  | { ok: false; reason: 'wrong_number_or_pin' }
  | { ok: false; reason: 'pin_required' }
  | { ok: false; reason: 'locked'; lockedUntilMs: number };

export function checkPin(pin: string): void {
  if (!new RegExp(PIN_PATTERN).test(pin)) throw new InvalidRequestError('pin', 'A PIN is 4 to 6 digits');
}

/** Check and hash a PIN, outside any transaction (scrypt takes tens of milliseconds). */
export async function pinHashOf(pin: string): Promise<string> {
  checkPin(pin);
  return hashPin(pin);
}

/** Store a user's PIN (hashed by pinHashOf); a new PIN signs the user out of every session. */
export async function storePin(db: Executor, msisdn: string, pinHash: string, nowMs: number): Promise<void> {
  await savePin(db, msisdn, pinHash, nowMs);
  await deleteAppSessionsOf(db, msisdn);
}

async function startSession(ctx: AppContext, msisdn: string): Promise<SignInResult> {
  const nowMs = ctx.clock.nowMs();
  const token = randomBytes(32).toString('base64url');
  const session = { msisdn, csrfToken: randomBytes(32).toString('base64url'), expiresAtMs: nowMs + APP_SESSION_LIFETIME_MS };
  await inTransaction(ctx, async ({ trx }) => {
    await deleteExpiredAppSessions(trx, nowMs);
    await insertAppSession(trx, { token_sha256: sha256Hex(token), msisdn, csrf_token: session.csrfToken, created_at_ms: nowMs, expires_at_ms: session.expiresAtMs });
  });
  return { ok: true, token, session };
}

/**
 * Sign in to the app with a phone number and PIN. Every attempt on a user with a PIN is counted before the PIN is
 * checked; MAX_PIN_FAILURES wrong ones lock the user out for PIN_LOCKOUT_MS. An unknown number costs the same scrypt
 * and gets the same answer as a wrong PIN.
 *
 * Sandbox only: a number whose user has no PIN (a new number, provisioned here as before, or a user created without
 * one) signs in without a PIN. In production a user exists only when the operator created it with a PIN.
 */
export async function signInToApp(ctx: AppContext, msisdn: string, pin: string | null): Promise<SignInResult> {
  const sandbox = ctx.config.mode === 'sandbox';
  if (pin === null && !sandbox) throw new InvalidRequestError('pin', 'Enter your PIN');
  if (pin !== null) checkPin(pin);
  const stored = await findPin(ctx.store.db, msisdn);
  if (!stored) {
    if (sandbox && pin === null) {
      await inTransaction(ctx, (tx) => resolveTestUser(tx, msisdn));
      return startSession(ctx, msisdn);
    }
    await spendPinCheck(pin ?? '');
    return { ok: false, reason: 'wrong_number_or_pin' };
  }
  if (pin === null) return { ok: false, reason: 'pin_required' };
  const nowMs = ctx.clock.nowMs();
  const claimed = await claimPinAttempt(ctx.store.db, msisdn, nowMs, MAX_PIN_FAILURES, PIN_LOCKOUT_MS);
  if (!claimed) return { ok: false, reason: 'locked', lockedUntilMs: (await findPin(ctx.store.db, msisdn))?.locked_until_ms ?? nowMs + PIN_LOCKOUT_MS };
  if (!(await pinMatches(pin, stored.pin_hash)) || !(await findTestUser(ctx.store.db, msisdn))) {
    return claimed.locked_until_ms !== null ? { ok: false, reason: 'locked', lockedUntilMs: claimed.locked_until_ms } : { ok: false, reason: 'wrong_number_or_pin' };
  }
  await clearPinFailures(ctx.store.db, msisdn);
  return startSession(ctx, msisdn);
}

/** The live session behind a cookie's token, or null (none, unknown, or expired). */
export async function appSessionOf(ctx: AppContext, token: string | undefined): Promise<AppSession | null> {
  if (!token) return null;
  const row = await findLiveAppSession(ctx.store.db, sha256Hex(token), ctx.clock.nowMs());
  return row ? { msisdn: row.msisdn, csrfToken: row.csrf_token, expiresAtMs: row.expires_at_ms } : null;
}

export async function signOutOfApp(ctx: AppContext, token: string): Promise<void> {
  await deleteAppSession(ctx.store.db, sha256Hex(token));
}
