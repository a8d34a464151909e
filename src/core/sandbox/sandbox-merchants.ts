import type { CaptureType, SalesUnitKind } from '../../store/schema.ts';
import { isUniqueViolation } from '../../store/dialect.ts';
import { findApiKey, findSalesUnit } from '../../store/repos/merchants.ts';
import { insertMeta, readMeta, writeMeta } from '../../store/repos/meta.ts';
import { findWebAccountByEmail } from '../../store/repos/web-accounts.ts';
import { inTransaction, withinTransaction } from '../transaction.ts';
import type { AppContext } from '../context.ts';
import { createApiKey } from '../merchants/api-keys.ts';
import { createMerchant, createSalesUnit, type SettlementTerms } from '../merchants/sales-units.ts';
import { kasseActor, type Actor } from '../operators/audit.ts';
import { createPortalUser, sandboxPortalEmail, type PortalLogin } from '../portal/portal-users.ts';

export interface SandboxMerchantRequest {
  captureType?: CaptureType;
  express?: boolean;
  rateLimits?: boolean;
  name?: string;
  settlement?: SettlementTerms;
  /** A chosen MSN (the demo merchant's, restored after a reset); otherwise a fresh one. */
  msn?: string;
  kind?: SalesUnitKind;
  vippsNumber?: string;
}

type IssuedKeys = Awaited<ReturnType<typeof createApiKey>>;
/** API keys and the portal admin's login of a sandbox merchant (the demo merchant's as stored before the portal lack the login). */
type IssuedCredentials = IssuedKeys & Partial<PortalLogin>;

/**
 * One call gives a test its own merchant, sales unit and keys, so tests never share state, and the merchant's first
 * portal user (an admin) with a made-up password. Merchant, sales unit and keys are one transaction, each step in the
 * audit log. Its sales unit is a test unit (the idle rule applies to test units in production mode only).
 */
export async function createSandboxMerchant(
  ctx: AppContext,
  by: Actor,
  request: SandboxMerchantRequest,
  credentials?: IssuedCredentials,
): Promise<IssuedKeys & PortalLogin> {
  const name = request.name ?? 'Sandbox merchant';
  const { keys, merchantId } = await inTransaction(ctx, async ({ trx }) => {
    const within = withinTransaction(ctx, trx);
    const merchant = await createMerchant(within, by, { name });
    const unit = await createSalesUnit(within, by, merchant.id, {
      name,
      captureType: request.captureType ?? 'reserve',
      express: request.express ?? true,
      rateLimits: request.rateLimits ?? true,
      skipLandingPage: true,
      testUnit: true,
      ...(request.settlement !== undefined ? { settlement: request.settlement } : {}),
      ...(request.msn !== undefined ? { msn: request.msn } : {}),
      ...(request.kind !== undefined ? { kind: request.kind } : {}),
      ...(request.vippsNumber !== undefined ? { vippsNumber: request.vippsNumber } : {}),
    });
    const issued = await createApiKey(
      within,
      by,
      unit.msn,
      credentials && { clientId: credentials.clientId, clientSecret: credentials.clientSecret, subscriptionKey: credentials.subscriptionKey },
    );
    return { keys: issued, merchantId: merchant.id };
  });
  // After the merchant's transaction (or inside the caller's, when it joined one): hashing the password takes tens of
  // milliseconds, which a transaction of its own would hold the write connection for.
  const login = await createPortalUser(ctx.store.db, ctx.clock.nowMs(), {
    merchantId,
    email: credentials?.portalEmail ?? sandboxPortalEmail(keys.merchantSerialNumber),
    role: 'admin',
    ...(credentials?.portalPassword !== undefined ? { password: credentials.portalPassword } : {}),
  });
  return { ...keys, portalEmail: login.portalEmail, portalPassword: login.portalPassword };
}

/** The demo merchant is set up (and restored after a sandbox reset) by Kasse itself. */
const DEMO_ACTOR = kasseActor('demo merchant');

const DEMO_KEY = 'demo_merchant_credentials';
/** The demo merchant is a merchant like any other: the real API's rate limits apply (README, "Behaviour worth knowing"). */
const DEMO_MERCHANT: SandboxMerchantRequest = { name: 'Kasse Demo Shop', rateLimits: true };

export interface DemoMerchant {
  /** True when this call created (or, after a reset, re-created) the demo merchant's rows. */
  created: boolean;
  credentials: IssuedKeys & PortalLogin;
  /** Whether its sales unit has the real API's rate limits (a database seeded before they were on may not). */
  rateLimits: boolean;
}

async function storedDemoCredentials(ctx: AppContext): Promise<IssuedCredentials | undefined> {
  const stored = await readMeta(ctx.store.db, DEMO_KEY);
  return stored === undefined ? undefined : (JSON.parse(stored) as IssuedCredentials);
}

/**
 * First start: a demo merchant whose credentials are printed, so a newcomer can call the API at once.
 * The credentials are kept (it is a sandbox) so that every later start — and every sandbox reset — gives the same
 * ones. Merchant, sales unit, key and the stored credentials are one transaction: a start killed half-way leaves
 * nothing behind, and of several nodes starting at once on one database exactly one creates it (the others'
 * transactions hit the stored key's uniqueness, roll back, and read the winner's).
 */
export async function ensureDemoMerchant(ctx: AppContext): Promise<DemoMerchant> {
  for (let attempt = 0; ; attempt++) {
    const credentials = await storedDemoCredentials(ctx);
    if (credentials !== undefined) {
      const created = await restoreDemoMerchant(ctx, credentials);
      const unit = await findSalesUnit(ctx.store.db, credentials.merchantSerialNumber);
      return { created, credentials: await ensureDemoPortalLogin(ctx, credentials), rateLimits: unit?.rate_limits_enabled === 1 };
    }
    try {
      const credentials = await inTransaction(ctx, async ({ trx }) => {
        const created = await createSandboxMerchant(withinTransaction(ctx, trx), DEMO_ACTOR, DEMO_MERCHANT);
        await insertMeta(trx, DEMO_KEY, JSON.stringify(created));
        return created;
      });
      return { created: true, credentials, rateLimits: true };
    } catch (error) {
      if (!isUniqueViolation(error) || attempt > 0) throw error;
    }
  }
}

/**
 * A database whose demo merchant was made before the portal existed gets its portal admin now, and the stored
 * credentials remember the login, so later starts and resets give the same one.
 */
async function ensureDemoPortalLogin(ctx: AppContext, stored: IssuedCredentials): Promise<IssuedKeys & PortalLogin> {
  if (stored.portalEmail !== undefined && stored.portalPassword !== undefined && (await findWebAccountByEmail(ctx.store.db, 'merchant', stored.portalEmail))) {
    return { ...stored, portalEmail: stored.portalEmail, portalPassword: stored.portalPassword };
  }
  const unit = await findSalesUnit(ctx.store.db, stored.merchantSerialNumber);
  if (!unit) throw new Error(`the demo merchant's sales unit ${stored.merchantSerialNumber} is missing`);
  const login = await inTransaction(ctx, ({ trx, nowMs }) =>
    createPortalUser(trx, nowMs, { merchantId: unit.merchant_id, email: sandboxPortalEmail(unit.msn), role: 'admin' }),
  );
  const credentials = { ...stored, portalEmail: login.portalEmail, portalPassword: login.portalPassword };
  await writeMeta(ctx.store.db, DEMO_KEY, JSON.stringify(credentials));
  return credentials;
}

/**
 * After `POST /_kasse/sandbox/reset` the printed credentials must keep working: when the demo merchant was set up on
 * this database, its merchant, sales unit (same MSN) and key (same secrets) are created again. Returns whether it
 * created anything. Of two nodes restoring at once one wins; the other sees the key and leaves it.
 */
export async function restoreDemoMerchant(ctx: AppContext, credentials?: IssuedCredentials): Promise<boolean> {
  const stored = credentials ?? (await storedDemoCredentials(ctx));
  if (stored === undefined || (await findApiKey(ctx.store.db, stored.clientId))) return false;
  try {
    await inTransaction(ctx, async ({ trx }) => {
      const created = await createSandboxMerchant(withinTransaction(ctx, trx), DEMO_ACTOR, { ...DEMO_MERCHANT, msn: stored.merchantSerialNumber }, stored);
      // Credentials stored before the portal existed learn the login made now, so the next reset gives the same one.
      if (stored.portalPassword === undefined) await writeMeta(trx, DEMO_KEY, JSON.stringify(created));
    });
    return true;
  } catch (error) {
    if (await findApiKey(ctx.store.db, stored.clientId)) return false;
    throw error;
  }
}
