import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Executor } from '../../store/db.ts';
import type { SalesUnitRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { findKeyWithSalesUnit, findLiveKeyBySubscriptionKeyHash } from '../../store/repos/merchants.ts';
import { findPartnerKey, findPartnerSalesUnit } from '../../store/repos/partners.ts';
import { Refused } from '../../domain/refusals.ts';
import { cachedKey, freshCachedKey, loadKey } from './key-cache.ts';
import { secretMatches, sha256Hex } from './secrets.ts';

/** Azure AD's well-known resource id, which the real token endpoint returns. */
const TOKEN_RESOURCE = '00000002-0000-0000-c000-000000000000';
const ISSUER = 'kasse';
const AUDIENCE = 'kasse-ecomm-v2';

export type AuthFailure =
  | 'missing_subscription_key'
  | 'invalid_subscription_key'
  | 'subscription_key_of_other_sales_unit'
  | 'unknown_client'
  | 'invalid_client_secret'
  | 'invalid_token'
  | 'expired_token';

export class AuthError extends Error {
  constructor(readonly failure: AuthFailure) {
    super(failure);
  }
}

export interface AuthenticatedClient {
  clientId: string;
  /** Set when a partner's key made the call; `salesUnit` is then the one its Merchant-Serial-Number named. */
  partnerId: string | null;
  salesUnit: SalesUnitRow;
}

type KeyWithUnit = NonNullable<Awaited<ReturnType<typeof findKeyWithSalesUnit>>>;
type PartnerKeyRow = NonNullable<Awaited<ReturnType<typeof findPartnerKey>>>;

/** A key set as authentication needs it: a sales unit's own, or a partner's (which acts for its attached units). */
type ClientKey = { kind: 'merchant'; row: KeyWithUnit; salesUnit: SalesUnitRow } | { kind: 'partner'; row: PartnerKeyRow };

async function findClientKey(db: Executor, clientId: string): Promise<ClientKey | undefined> {
  const own = await findKeyWithSalesUnit(db, clientId);
  // The sales unit is taken out of the row once, as the key is cached, not on every call (a rest copy of ~20 columns).
  if (own) return { kind: 'merchant', row: own, salesUnit: salesUnitOf(own) };
  const partners = await findPartnerKey(db, clientId);
  return partners ? { kind: 'partner', row: partners } : undefined;
}

function salesUnitOf(row: KeyWithUnit): SalesUnitRow {
  const { client_id: _c, client_secret_sha256: _s, subscription_key_sha256: _k, revoked_at_ms: _r, ...unit } = row;
  return unit;
}

/** Whether the presented subscription key is the key set's own (synchronous: the cached path awaits nothing). */
function subscriptionKeyMatches(row: { subscription_key_sha256: string }, subscriptionKey: string | undefined): boolean {
  return subscriptionKey !== undefined && subscriptionKey !== '' && secretMatches(subscriptionKey, row.subscription_key_sha256);
}

/**
 * Why a subscription key that is not the key set's own was refused: none, or a key that is some other sales unit's (a
 * mix-up of two key sets) told apart from one that is no key at all.
 */
async function subscriptionKeyRefusal(db: Executor, subscriptionKey: string | undefined): Promise<AuthError> {
  if (!subscriptionKey) return new AuthError('missing_subscription_key');
  const othersKey = await findLiveKeyBySubscriptionKeyHash(db, sha256Hex(subscriptionKey));
  return new AuthError(othersKey ? 'subscription_key_of_other_sales_unit' : 'invalid_subscription_key');
}

async function checkSubscriptionKey(db: Executor, row: { subscription_key_sha256: string }, subscriptionKey: string | undefined): Promise<void> {
  if (!subscriptionKeyMatches(row, subscriptionKey)) throw await subscriptionKeyRefusal(db, subscriptionKey);
}

/** The real API's words for a partner call without, or with a foreign, Merchant-Serial-Number (REFERENCE §2.2). */
function notPartnersMsn(msn: string | undefined): Refused {
  const named = msn === undefined || msn === '' ? '' : ` ${msn}.`;
  return new Refused('msn_not_for_keys', { detail: `Invalid MSN:${named} This MSN is not valid for the provided supermerchant ID.` });
}

/** A partner call acts for the sales unit its Merchant-Serial-Number names, if that unit is attached to the partner. */
async function partnersSalesUnit(ctx: AppContext, key: PartnerKeyRow, msn: string | undefined): Promise<SalesUnitRow> {
  if (msn === undefined || !/^\d{4,6}$/.test(msn)) throw notPartnersMsn(msn);
  // The attachment is cached like the key (key-cache.ts): detaching a unit or revoking the key clears it.
  const unit = await cachedKey(ctx, `${key.client_id}\n${msn}`, () => findPartnerSalesUnit(ctx.store.db, key.partner_id, msn));
  if (!unit) throw notPartnersMsn(msn);
  return unit;
}

/** `POST /accesstoken/get`: a bodyless POST with the three key headers. */
export async function issueAccessToken(
  ctx: AppContext,
  headers: { clientId?: string | undefined; clientSecret?: string | undefined; subscriptionKey?: string | undefined },
) {
  if (!headers.subscriptionKey) throw new AuthError('missing_subscription_key');
  const key = headers.clientId ? await findClientKey(ctx.store.db, headers.clientId) : undefined;
  const row = key?.row;
  if (!key || !row || row.revoked_at_ms !== null) throw new AuthError('unknown_client');
  if (!headers.clientSecret || !secretMatches(headers.clientSecret, row.client_secret_sha256)) {
    throw new AuthError('invalid_client_secret');
  }
  await checkSubscriptionKey(ctx.store.db, row, headers.subscriptionKey);
  const nowSeconds = Math.floor(ctx.clock.nowMs() / 1000);
  const lifetime = ctx.config.accessTokenLifetimeSeconds;
  const accessToken = await new SignJWT(key.kind === 'merchant' ? { msn: key.row.msn } : { partner: key.row.partner_id })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(row.client_id)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + lifetime)
    .sign(ctx.tokenSigningKey);
  // Every field is a string on the real endpoint, numbers included.
  return {
    token_type: 'Bearer',
    expires_in: String(lifetime),
    ext_expires_in: '0',
    expires_on: String(nowSeconds + lifetime),
    not_before: String(nowSeconds),
    resource: TOKEN_RESOURCE,
    access_token: accessToken,
  };
}

interface VerifiedClaims {
  sub: string;
  nbf: number;
  exp: number;
}

const VERIFIED_TOKENS_MAX = 10_000;
/** Per signing key: tokens whose signature, issuer and audience jose has verified, with their time claims. */
const verifiedTokens = new WeakMap<Uint8Array, Map<string, VerifiedClaims>>();

/**
 * The client id of a token this node has verified before (undefined: not remembered), or AuthError. Verifying the HMAC
 * (jose, through WebCrypto) was about a quarter of the CPU of a /details call (bench/README.md), and merchants reuse
 * one token for its whole lifetime: a token string that verified under this signing key is remembered, and later
 * calls only re-check nbf and exp against the clock, as jose does (same order, same comparisons, same errors). The
 * key behind the token is checked on every call (through the key cache, key-cache.ts). Synchronous, as the cached
 * path of authenticateApiCall is throughout: an await per step was a promise and a turn of the microtask queue each.
 */
function rememberedClientId(ctx: AppContext, token: string): string | undefined {
  const known = verifiedTokens.get(ctx.tokenSigningKey);
  const remembered = known?.get(token);
  if (!remembered) return undefined;
  const now = Math.floor(ctx.clock.nowMs() / 1000);
  if (remembered.nbf > now) throw new AuthError('invalid_token');
  if (remembered.exp <= now) {
    known!.delete(token);
    throw new AuthError('expired_token');
  }
  return remembered.sub;
}

/** The token's client id, verified by jose, and remembered for rememberedClientId; or AuthError. */
async function verifiedClientId(ctx: AppContext, token: string): Promise<string> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, ctx.tokenSigningKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: new Date(ctx.clock.nowMs()),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AuthError('expired_token');
    throw new AuthError('invalid_token');
  }
  if (typeof payload.sub !== 'string') throw new AuthError('invalid_token');
  if (typeof payload.nbf === 'number' && typeof payload.exp === 'number') {
    let known = verifiedTokens.get(ctx.tokenSigningKey);
    if (!known) verifiedTokens.set(ctx.tokenSigningKey, (known = new Map()));
    if (known.size >= VERIFIED_TOKENS_MAX) known.delete(known.keys().next().value!);
    known.set(token, { sub: payload.sub, nbf: payload.nbf, exp: payload.exp });
  }
  return payload.sub;
}

/**
 * Every ecomm call: a valid, unexpired token for a live key, and the subscription key of the same key set.
 * Returns the sales unit as it is now (status and capture type may have changed since the token was issued), as of
 * at most AUTH_CACHE_TTL_MS ago for changes made on another node. A partner's key acts for the sales unit named by
 * `merchantSerialNumber` (the Merchant-Serial-Number header), which must be attached to the partner (403 otherwise).
 */
export async function authenticateApiCall(
  ctx: AppContext,
  bearerToken: string | undefined,
  subscriptionKey: string | undefined,
  options: { subscriptionKeyRequired: boolean; merchantSerialNumber?: string | undefined } = { subscriptionKeyRequired: true },
): Promise<AuthenticatedClient> {
  if (!subscriptionKey && options.subscriptionKeyRequired) throw new AuthError('missing_subscription_key');
  if (!bearerToken) throw new AuthError('invalid_token');
  // Each step awaits only when it has to read or verify: a remembered token and a cached key need no promise.
  const clientId = rememberedClientId(ctx, bearerToken) ?? (await verifiedClientId(ctx, bearerToken));
  // Cached for a bounded time (key-cache.ts): revocation and blocking reach this node at once, others within the bound.
  const key = freshCachedKey<ClientKey>(ctx, clientId) ?? (await loadKey(ctx, clientId, () => findClientKey(ctx.store.db, clientId)));
  if (!key || key.row.revoked_at_ms !== null) throw new AuthError('invalid_token');
  // The Userinfo API is called with the token alone; a key that is sent must still be the key set's own.
  if ((subscriptionKey || options.subscriptionKeyRequired) && !subscriptionKeyMatches(key.row, subscriptionKey)) {
    throw await subscriptionKeyRefusal(ctx.store.db, subscriptionKey);
  }
  if (key.kind === 'merchant') return { clientId, partnerId: null, salesUnit: key.salesUnit };
  return { clientId, partnerId: key.row.partner_id, salesUnit: await partnersSalesUnit(ctx, key.row, options.merchantSerialNumber) };
}
