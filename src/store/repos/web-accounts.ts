import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { WebAccountKind, WebAccountRow, WebAccountTable } from '../schema.ts';

export async function insertWebAccount(db: Executor, row: Insertable<WebAccountTable>): Promise<void> {
  await db.insertInto('web_account').values(row).execute();
}

export async function findWebAccountByEmail(db: Executor, kind: WebAccountKind, email: string): Promise<WebAccountRow | undefined> {
  return db.selectFrom('web_account').selectAll().where('kind', '=', kind).where('email', '=', email).executeTakeFirst();
}

export async function findWebAccount(db: Executor, id: string): Promise<WebAccountRow | undefined> {
  return db.selectFrom('web_account').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listMerchantWebAccounts(db: Executor, merchantId: string): Promise<WebAccountRow[]> {
  return db
    .selectFrom('web_account')
    .selectAll()
    .where('kind', '=', 'merchant')
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at_ms')
    .orderBy('email')
    .execute();
}

/**
 * A failed log-in, as one guarded statement: the count goes up by one, and the account locks when it reaches
 * `lockAfter` (the count starts again after the lock). Concurrent failures each count.
 */
export async function recordFailedLogin(db: Executor, id: string, args: { nowMs: number; lockAfter: number; lockUntilMs: number }): Promise<void> {
  await db
    .updateTable('web_account')
    .set((eb) => ({
      failed_logins: eb.case().when('failed_logins', '>=', args.lockAfter - 1).then(0).else(eb('failed_logins', '+', 1)).end(),
      locked_until_ms: eb.case().when('failed_logins', '>=', args.lockAfter - 1).then(args.lockUntilMs).else(eb.ref('locked_until_ms')).end(),
      updated_at_ms: args.nowMs,
    }))
    .where('id', '=', id)
    .execute();
}

export async function clearFailedLogins(db: Executor, id: string, nowMs: number): Promise<void> {
  await db.updateTable('web_account').set({ failed_logins: 0, locked_until_ms: null, updated_at_ms: nowMs }).where('id', '=', id).execute();
}

export async function setWebAccountPassword(db: Executor, id: string, passwordHash: string, nowMs: number): Promise<void> {
  await db
    .updateTable('web_account')
    .set({ password_hash: passwordHash, failed_logins: 0, locked_until_ms: null, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

export async function listWebAccountsOfKind(db: Executor, kind: WebAccountKind): Promise<WebAccountRow[]> {
  return db.selectFrom('web_account').selectAll().where('kind', '=', kind).orderBy('created_at_ms').orderBy('email').execute();
}
