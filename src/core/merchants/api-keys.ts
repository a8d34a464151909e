import { findSalesUnit, insertApiKey, listApiKeys, revokeApiKey } from '../../store/repos/merchants.ts';
import { newCredentials, sha256Hex } from '../auth/secrets.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';
import { recordAudit, type Actor } from '../operators/audit.ts';
import { NotFoundError } from './sales-units.ts';
import { inTransaction, withinTransaction } from '../transaction.ts';

export type Credentials = ReturnType<typeof newCredentials>;

/**
 * Issue a key set for a sales unit. The secrets are returned once and stored only as hashes (the audit log names the
 * client id only). `given` re-issues credentials that were handed out before (the sandbox's printed demo keys after a reset).
 */
export async function createApiKey(ctx: AppContext, by: Actor, msn: string, given?: Credentials) {
  return inTransaction(ctx, async (tx) => {
    if (!(await findSalesUnit(tx.trx, msn))) throw new NotFoundError(`sales unit ${msn} does not exist`);
    const credentials = given ?? newCredentials();
    await insertApiKey(tx.trx, {
      client_id: credentials.clientId,
      msn,
      client_secret_sha256: sha256Hex(credentials.clientSecret),
      subscription_key_sha256: sha256Hex(credentials.subscriptionKey),
      created_at_ms: tx.nowMs,
      revoked_at_ms: null,
    });
    await recordAudit(tx, by, 'key.create', msn, null, { client_id: credentials.clientId });
    return { merchantSerialNumber: msn, ...credentials };
  });
}

export async function revokeKey(ctx: AppContext, by: Actor, msn: string, clientId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    if (!(await revokeApiKey(tx.trx, msn, clientId, tx.nowMs))) throw new NotFoundError(`no active key ${clientId} on sales unit ${msn}`);
    await recordAudit(tx, by, 'key.revoke', msn, { client_id: clientId, revoked_at_ms: null }, { client_id: clientId, revoked_at_ms: tx.nowMs });
  });
  // Committed: this node refuses the key from its next request on.
  forgetCachedKeys(ctx);
}

/**
 * Replace a live key with a new one, in one transaction: the new secrets are returned once, and the old key stops
 * working on this node as soon as it committed (the authentication cache is cleared after the commit).
 */
export async function rotateKey(ctx: AppContext, by: Actor, msn: string, clientId: string) {
  const issued = await inTransaction(ctx, async (tx) => {
    if (!(await revokeApiKey(tx.trx, msn, clientId, tx.nowMs))) throw new NotFoundError(`no active key ${clientId} on sales unit ${msn}`);
    await recordAudit(tx, by, 'key.revoke', msn, { client_id: clientId, revoked_at_ms: null }, { client_id: clientId, revoked_at_ms: tx.nowMs });
    return createApiKey(withinTransaction(ctx, tx.trx), by, msn);
  });
  forgetCachedKeys(ctx);
  return issued;
}

export function listKeys(ctx: AppContext, msn: string) {
  return listApiKeys(ctx.store.db, msn);
}
