import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { WebAccountKind, WebAccountRow, WebSessionRow, WebSessionTable } from '../schema.ts';

export async function insertWebSession(db: Executor, row: Insertable<WebSessionTable>): Promise<void> {
  await db.insertInto('web_session').values(row).execute();
}

/** A live session of `kind` with its account, in one read (every request of a logged-in browser needs both). */
export async function findLiveWebSession(
  db: Executor,
  kind: WebAccountKind,
  tokenSha256: string,
  nowMs: number,
): Promise<{ session: WebSessionRow; account: WebAccountRow } | undefined> {
  const row = await db
    .selectFrom('web_session')
    .innerJoin('web_account', 'web_account.id', 'web_session.account_id')
    .selectAll('web_account')
    .select([
      'web_session.token_sha256',
      'web_session.account_id',
      'web_session.csrf_token',
      'web_session.created_at_ms as session_created_at_ms',
      'web_session.expires_at_ms',
      'web_session.ended_at_ms',
    ])
    .where('web_session.token_sha256', '=', tokenSha256)
    .where('web_session.kind', '=', kind)
    .where('web_session.ended_at_ms', 'is', null)
    .where('web_session.expires_at_ms', '>', nowMs)
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_sha256, account_id, csrf_token, session_created_at_ms, expires_at_ms, ended_at_ms, ...account } = row;
  return {
    session: { token_sha256, account_id, kind, csrf_token, created_at_ms: session_created_at_ms, expires_at_ms, ended_at_ms },
    account,
  };
}

/** Idle timeout: a used session lives on, guarded so it never moves back and never passes `maxExpiresAtMs`. */
export async function extendWebSession(db: Executor, tokenSha256: string, expiresAtMs: number): Promise<void> {
  await db
    .updateTable('web_session')
    .set({ expires_at_ms: expiresAtMs })
    .where('token_sha256', '=', tokenSha256)
    .where('ended_at_ms', 'is', null)
    .where('expires_at_ms', '<', expiresAtMs)
    .execute();
}

export async function endWebSession(db: Executor, tokenSha256: string, nowMs: number): Promise<void> {
  await db.updateTable('web_session').set({ ended_at_ms: nowMs }).where('token_sha256', '=', tokenSha256).where('ended_at_ms', 'is', null).execute();
}

/** A password change ends every session of the account (a stolen cookie stops working). */
export async function endWebSessionsOf(db: Executor, accountId: string, nowMs: number): Promise<void> {
  await db.updateTable('web_session').set({ ended_at_ms: nowMs }).where('account_id', '=', accountId).where('ended_at_ms', 'is', null).execute();
}
