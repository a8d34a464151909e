import { randomUUID } from 'node:crypto';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import {
  deletePartnerSalesUnit,
  findPartner,
  insertPartner,
  insertPartnerKey,
  insertPartnerSalesUnit,
  listPartnerKeys,
  listPartnerSalesUnits,
  listPartners,
  revokePartnerKeyRow,
} from '../../store/repos/partners.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import { newCredentials, sha256Hex } from '../auth/secrets.ts';
import type { Executor } from '../../store/db.ts';
import type { AppContext } from '../context.ts';
import { recordAudit, type Actor } from '../operators/audit.ts';
import { inTransaction } from '../transaction.ts';
import { NotFoundError } from './sales-units.ts';

/**
 * Partners (e-commerce platforms, PSP-like integrators): their keys act for every sales unit attached to them, and
 * every call made with them names the sales unit in `Merchant-Serial-Number` (core/auth/access-token.ts).
 */
export async function createPartner(ctx: AppContext, by: Actor, args: { name: string }) {
  return inTransaction(ctx, async (tx) => {
    const partner = { id: randomUUID(), name: args.name, created_at_ms: tx.nowMs };
    await insertPartner(tx.trx, partner);
    await recordAudit(tx, by, 'partner.create', partner.id, null, { name: partner.name });
    return partner;
  });
}

async function existingPartner(db: Executor, partnerId: string) {
  const partner = await findPartner(db, partnerId);
  if (!partner) throw new NotFoundError(`partner ${partnerId} does not exist`);
  return partner;
}

export async function listPartnersWithUnits(ctx: AppContext) {
  const partners = await listPartners(ctx.store.db);
  return Promise.all(
    partners.map(async (p) => ({ ...p, salesUnits: (await listPartnerSalesUnits(ctx.store.db, p.id)).map((u) => u.msn) })),
  );
}

export async function attachSalesUnit(ctx: AppContext, by: Actor, partnerId: string, msn: string) {
  return inTransaction(ctx, async (tx) => {
    await existingPartner(tx.trx, partnerId);
    if (!(await findSalesUnit(tx.trx, msn))) throw new NotFoundError(`sales unit ${msn} does not exist`);
    const attached = await insertPartnerSalesUnit(tx.trx, partnerId, msn, tx.nowMs);
    if (attached) await recordAudit(tx, by, 'partner.attach', partnerId, null, { msn });
    return { partnerId, merchantSerialNumber: msn, attached };
  });
}

export async function detachSalesUnit(ctx: AppContext, by: Actor, partnerId: string, msn: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    if (!(await deletePartnerSalesUnit(tx.trx, partnerId, msn))) {
      throw new NotFoundError(`sales unit ${msn} is not attached to partner ${partnerId}`);
    }
    await recordAudit(tx, by, 'partner.detach', partnerId, { msn }, null);
  });
  // Committed: this node's cached attachment goes at once.
  forgetCachedKeys(ctx);
}

/** A partner key set; the secrets are returned once and stored only as hashes (the audit log names the client id only). */
export async function createPartnerKey(ctx: AppContext, by: Actor, partnerId: string) {
  return inTransaction(ctx, async (tx) => {
    await existingPartner(tx.trx, partnerId);
    const credentials = newCredentials();
    await insertPartnerKey(tx.trx, {
      client_id: credentials.clientId,
      partner_id: partnerId,
      client_secret_sha256: sha256Hex(credentials.clientSecret),
      subscription_key_sha256: sha256Hex(credentials.subscriptionKey),
      created_at_ms: tx.nowMs,
      revoked_at_ms: null,
    });
    await recordAudit(tx, by, 'partner-key.create', partnerId, null, { client_id: credentials.clientId });
    return { partnerId, ...credentials };
  });
}

export async function revokePartnerKey(ctx: AppContext, by: Actor, partnerId: string, clientId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    if (!(await revokePartnerKeyRow(tx.trx, partnerId, clientId, tx.nowMs))) {
      throw new NotFoundError(`no active key ${clientId} of partner ${partnerId}`);
    }
    await recordAudit(tx, by, 'partner-key.revoke', partnerId, { client_id: clientId, revoked_at_ms: null }, { client_id: clientId, revoked_at_ms: tx.nowMs });
  });
  forgetCachedKeys(ctx);
}

/** One partner as the console shows it: the sales units it acts for and every key set it was given (secrets never). */
export async function partnerDetails(ctx: AppContext, partnerId: string) {
  const partner = await existingPartner(ctx.store.db, partnerId);
  const [salesUnits, keys] = await Promise.all([listPartnerSalesUnits(ctx.store.db, partnerId), listPartnerKeys(ctx.store.db, partnerId)]);
  return { ...partner, salesUnits, keys };
}

export async function listPartnerKeySets(ctx: AppContext, partnerId: string) {
  await existingPartner(ctx.store.db, partnerId);
  return listPartnerKeys(ctx.store.db, partnerId);
}
