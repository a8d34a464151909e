import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Executor } from '../../store/db.ts';
import type { SalesUnitRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { secretMatches } from './secrets.ts';

/** Azure AD's well-known resource id, which the real token endpoint returns. */
const TOKEN_RESOURCE = '00000002-0000-0000-c000-000000000000';
const ISSUER = 'kasse';
const AUDIENCE = 'kasse-ecomm-v2';

export type AuthFailure =
  | 'missing_subscription_key'
  | 'invalid_subscription_key'
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
  salesUnit: SalesUnitRow;
}

async function loadKeyWithUnit(db: Executor, clientId: string) {
  return db
    .selectFrom('api_key')
    .innerJoin('sales_unit', 'sales_unit.msn', 'api_key.msn')
    .selectAll('sales_unit')
    .select(['api_key.client_id', 'api_key.client_secret_sha256', 'api_key.subscription_key_sha256', 'api_key.revoked_at_ms'])
    .where('api_key.client_id', '=', clientId)
    .executeTakeFirst();
}

type KeyWithUnit = NonNullable<Awaited<ReturnType<typeof loadKeyWithUnit>>>;

function salesUnitOf(row: KeyWithUnit): SalesUnitRow {
  const { client_id: _c, client_secret_sha256: _s, subscription_key_sha256: _k, revoked_at_ms: _r, ...unit } = row;
  return unit;
}

function checkSubscriptionKey(row: KeyWithUnit, subscriptionKey: string | undefined): void {
  if (!subscriptionKey) throw new AuthError('missing_subscription_key');
  if (!secretMatches(subscriptionKey, row.subscription_key_sha256)) throw new AuthError('invalid_subscription_key');
}

/** `POST /accesstoken/get`: a bodyless POST with the three key headers. */
export async function issueAccessToken(
  ctx: AppContext,
  headers: { clientId?: string | undefined; clientSecret?: string | undefined; subscriptionKey?: string | undefined },
) {
  if (!headers.subscriptionKey) throw new AuthError('missing_subscription_key');
  const row = headers.clientId ? await loadKeyWithUnit(ctx.store.db, headers.clientId) : undefined;
  if (!row || row.revoked_at_ms !== null) throw new AuthError('unknown_client');
  if (!headers.clientSecret || !secretMatches(headers.clientSecret, row.client_secret_sha256)) {
    throw new AuthError('invalid_client_secret');
  }
  checkSubscriptionKey(row, headers.subscriptionKey);
  const nowSeconds = Math.floor(ctx.clock.nowMs() / 1000);
  const lifetime = ctx.config.accessTokenLifetimeSeconds;
  const accessToken = await new SignJWT({ msn: row.msn })
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

/**
 * Every ecomm call: a valid, unexpired token for a live key, and the subscription key of the same sales unit.
 * Returns the sales unit as it is now (status and capture type may have changed since the token was issued).
 */
export async function authenticateApiCall(
  ctx: AppContext,
  bearerToken: string | undefined,
  subscriptionKey: string | undefined,
  options: { subscriptionKeyRequired: boolean } = { subscriptionKeyRequired: true },
): Promise<AuthenticatedClient> {
  if (!subscriptionKey && options.subscriptionKeyRequired) throw new AuthError('missing_subscription_key');
  if (!bearerToken) throw new AuthError('invalid_token');
  let clientId: string;
  try {
    const { payload } = await jwtVerify(bearerToken, ctx.tokenSigningKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: new Date(ctx.clock.nowMs()),
    });
    if (typeof payload.sub !== 'string') throw new AuthError('invalid_token');
    clientId = payload.sub;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AuthError('expired_token');
    throw new AuthError('invalid_token');
  }
  const row = await loadKeyWithUnit(ctx.store.db, clientId);
  if (!row || row.revoked_at_ms !== null) throw new AuthError('invalid_token');
  // The Userinfo API is called with the token alone; a key that is sent must still be the unit's own.
  if (subscriptionKey || options.subscriptionKeyRequired) checkSubscriptionKey(row, subscriptionKey);
  return { clientId, salesUnit: salesUnitOf(row) };
}
