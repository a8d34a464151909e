import { findSalesUnit, insertApiKey, listApiKeys, revokeApiKey } from '../../store/repos/merchants.ts';
import { newCredentials, sha256Hex } from '../auth/secrets.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from './sales-units.ts';
import { inTransaction, withinTransaction } from '../transaction.ts';

export type Credentials = ReturnType<typeof newCredentials>;

/**
 * Issue a key set for a sales unit. The secrets are returned once and stored only as hashes. `given` re-issues
 * credentials that were handed out before (the sandbox's printed demo keys after a reset).
 */
export async function createApiKey(ctx: AppContext, msn: string, given?: Credentials) {
  if (!(await findSalesUnit(ctx.store.db, msn))) throw new NotFoundError(`sales unit ${msn} does not exist`);
  const credentials = given ?? newCredentials();
  await insertApiKey(ctx.store.db, {
    client_id: credentials.clientId,
    msn,
    client_secret_sha256: sha256Hex(credentials.clientSecret),
    subscription_key_sha256: sha256Hex(credentials.subscriptionKey),
    created_at_ms: ctx.clock.nowMs(),
    revoked_at_ms: null,
  });
  return { merchantSerialNumber: msn, ...credentials };
}

export async function revokeKey(ctx: AppContext, msn: string, clientId: string): Promise<void> {
  if (!(await revokeApiKey(ctx.store.db, msn, clientId, ctx.clock.nowMs()))) {
    throw new NotFoundError(`no active key ${clientId} on sales unit ${msn}`);
  }
  forgetCachedKeys(ctx);
}

/**
 * Replace a live key with a new one, in one transaction: the new secrets are returned once, and the old key stops
 * working on this node as soon as it committed (the authentication cache is cleared after the commit).
 */
export async function rotateKey(ctx: AppContext, msn: string, clientId: string) {
  const issued = await inTransaction(ctx, async ({ trx, nowMs }) => {
    if (!(await revokeApiKey(trx, msn, clientId, nowMs))) throw new NotFoundError(`no active key ${clientId} on sales unit ${msn}`);
    return createApiKey(withinTransaction(ctx, trx), msn);
  });
  forgetCachedKeys(ctx);
  return issued;
}

export function listKeys(ctx: AppContext, msn: string) {
  return listApiKeys(ctx.store.db, msn);
}
