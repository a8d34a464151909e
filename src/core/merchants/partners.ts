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
import type { AppContext } from '../context.ts';
import { NotFoundError } from './sales-units.ts';

/**
 * Partners (e-commerce platforms, PSP-like integrators): their keys act for every sales unit attached to them, and
 * every call made with them names the sales unit in `Merchant-Serial-Number` (core/auth/access-token.ts).
 */
export async function createPartner(ctx: AppContext, args: { name: string }) {
  const partner = { id: randomUUID(), name: args.name, created_at_ms: ctx.clock.nowMs() };
  await insertPartner(ctx.store.db, partner);
  return partner;
}

async function existingPartner(ctx: AppContext, partnerId: string) {
  const partner = await findPartner(ctx.store.db, partnerId);
  if (!partner) throw new NotFoundError(`partner ${partnerId} does not exist`);
  return partner;
}

export async function listPartnersWithUnits(ctx: AppContext) {
  const partners = await listPartners(ctx.store.db);
  return Promise.all(
    partners.map(async (p) => ({ ...p, salesUnits: (await listPartnerSalesUnits(ctx.store.db, p.id)).map((u) => u.msn) })),
  );
}

export async function attachSalesUnit(ctx: AppContext, partnerId: string, msn: string) {
  await existingPartner(ctx, partnerId);
  if (!(await findSalesUnit(ctx.store.db, msn))) throw new NotFoundError(`sales unit ${msn} does not exist`);
  const attached = await insertPartnerSalesUnit(ctx.store.db, partnerId, msn, ctx.clock.nowMs());
  return { partnerId, merchantSerialNumber: msn, attached };
}

export async function detachSalesUnit(ctx: AppContext, partnerId: string, msn: string): Promise<void> {
  if (!(await deletePartnerSalesUnit(ctx.store.db, partnerId, msn))) {
    throw new NotFoundError(`sales unit ${msn} is not attached to partner ${partnerId}`);
  }
  forgetCachedKeys(ctx);
}

/** A partner key set; the secrets are returned once and stored only as hashes. */
export async function createPartnerKey(ctx: AppContext, partnerId: string) {
  await existingPartner(ctx, partnerId);
  const credentials = newCredentials();
  await insertPartnerKey(ctx.store.db, {
    client_id: credentials.clientId,
    partner_id: partnerId,
    client_secret_sha256: sha256Hex(credentials.clientSecret),
    subscription_key_sha256: sha256Hex(credentials.subscriptionKey),
    created_at_ms: ctx.clock.nowMs(),
    revoked_at_ms: null,
  });
  return { partnerId, ...credentials };
}

export async function revokePartnerKey(ctx: AppContext, partnerId: string, clientId: string): Promise<void> {
  if (!(await revokePartnerKeyRow(ctx.store.db, partnerId, clientId, ctx.clock.nowMs()))) {
    throw new NotFoundError(`no active key ${clientId} of partner ${partnerId}`);
  }
  forgetCachedKeys(ctx);
}

export async function listPartnerKeySets(ctx: AppContext, partnerId: string) {
  await existingPartner(ctx, partnerId);
  return listPartnerKeys(ctx.store.db, partnerId);
}
