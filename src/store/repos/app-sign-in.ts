import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import type { AppSessionTable } from '../schema.ts';

export async function findPin(db: Executor, msisdn: string) {
  return db.selectFrom('app_user_pin').selectAll().where('msisdn', '=', msisdn).executeTakeFirst();
}

/** The stored PIN hashes of these numbers (those that have one). */
export async function listPinHashes(db: Executor, msisdns: readonly string[]) {
  if (msisdns.length === 0) return [];
  return db.selectFrom('app_user_pin').select(['msisdn', 'pin_hash']).where('msisdn', 'in', msisdns).execute();
}

/** Set (or replace) a user's PIN; a new PIN starts with no failed attempts and no lockout. */
export async function savePin(db: Executor, msisdn: string, pinHash: string, nowMs: number): Promise<void> {
  await db
    .insertInto('app_user_pin')
    .values({ msisdn, pin_hash: pinHash, failed_attempts: 0, locked_until_ms: null, updated_at_ms: nowMs })
    .onConflict((oc) => oc.column('msisdn').doUpdateSet({ pin_hash: pinHash, failed_attempts: 0, locked_until_ms: null, updated_at_ms: nowMs }))
    .execute();
}

/**
 * Count a sign-in attempt before its PIN is checked, as one guarded statement: refused (undefined) while the user is
 * locked out; the attempt that reaches `maxFailures` locks the user until `nowMs + lockMs`. Counting first means
 * parallel guesses cannot all slip in before the first failure is written: at most `maxFailures` are ever checked.
 * An expired lockout starts the count again at this attempt.
 */
export async function claimPinAttempt(db: Executor, msisdn: string, nowMs: number, maxFailures: number, lockMs: number) {
  const count = sql<number>`CASE WHEN locked_until_ms IS NOT NULL THEN 1 ELSE failed_attempts + 1 END`;
  return db
    .updateTable('app_user_pin')
    .set({
      failed_attempts: count,
      // Typed parameters: PostgreSQL cannot infer a CASE's type from untyped ones.
      locked_until_ms: sql<number | null>`CASE WHEN ${count} >= CAST(${maxFailures} AS integer) THEN CAST(${nowMs + lockMs} AS bigint) ELSE NULL END`,
    })
    .where('msisdn', '=', msisdn)
    .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', nowMs)]))
    .returning(['failed_attempts', 'locked_until_ms'])
    .executeTakeFirst();
}

/** The right PIN: the attempt counted by claimPinAttempt was not a failure, and earlier failures are forgiven. */
export async function clearPinFailures(db: Executor, msisdn: string): Promise<void> {
  await db.updateTable('app_user_pin').set({ failed_attempts: 0, locked_until_ms: null }).where('msisdn', '=', msisdn).execute();
}

export async function insertAppSession(db: Executor, row: AppSessionTable): Promise<void> {
  await db.insertInto('app_session').values(row).execute();
}

/** The session behind a cookie's token, while it has not expired. */
export async function findLiveAppSession(db: Executor, tokenSha256: string, nowMs: number) {
  return db.selectFrom('app_session').selectAll().where('token_sha256', '=', tokenSha256).where('expires_at_ms', '>', nowMs).executeTakeFirst();
}

export async function deleteAppSession(db: Executor, tokenSha256: string): Promise<void> {
  await db.deleteFrom('app_session').where('token_sha256', '=', tokenSha256).execute();
}

/** A new PIN signs the user out everywhere. */
export async function deleteAppSessionsOf(db: Executor, msisdn: string): Promise<void> {
  await db.deleteFrom('app_session').where('msisdn', '=', msisdn).execute();
}

export async function deleteExpiredAppSessions(db: Executor, nowMs: number): Promise<void> {
  await db.deleteFrom('app_session').where('expires_at_ms', '<=', nowMs).execute();
}
