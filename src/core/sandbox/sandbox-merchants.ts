import type { CaptureType } from '../../store/schema.ts';
import { isUniqueViolation } from '../../store/dialect.ts';
import { insertMeta, readMeta } from '../../store/repos/meta.ts';
import { inTransaction, withinTransaction } from '../transaction.ts';
import type { AppContext } from '../context.ts';
import { createApiKey } from '../merchants/api-keys.ts';
import { createMerchant, createSalesUnit } from '../merchants/sales-units.ts';

export interface SandboxMerchantRequest {
  captureType?: CaptureType;
  express?: boolean;
  rateLimits?: boolean;
  name?: string;
}

/** One call gives a test its own merchant, sales unit and keys, so tests never share state. */
export async function createSandboxMerchant(ctx: AppContext, request: SandboxMerchantRequest) {
  const name = request.name ?? 'Sandbox merchant';
  const merchant = await createMerchant(ctx, { name });
  const unit = await createSalesUnit(ctx, merchant.id, {
    name,
    captureType: request.captureType ?? 'reserve',
    express: request.express ?? true,
    rateLimits: request.rateLimits ?? true,
    skipLandingPage: true,
  });
  return createApiKey(ctx, unit.msn);
}

const DEMO_KEY = 'demo_merchant_credentials';

/**
 * First start: a demo merchant whose credentials are printed, so a newcomer can call the API at once.
 * The credentials are kept (it is a sandbox) so that every later start prints the same ones. Merchant, sales unit,
 * key and the stored credentials are one transaction: a start killed half-way leaves nothing behind, and of several
 * nodes starting at once on one database exactly one creates it (the others' transactions hit the stored key's
 * uniqueness, roll back, and read the winner's).
 */
export async function ensureDemoMerchant(ctx: AppContext): Promise<{ created: boolean; credentials: Awaited<ReturnType<typeof createApiKey>> }> {
  for (let attempt = 0; ; attempt++) {
    const stored = await readMeta(ctx.store.db, DEMO_KEY);
    if (stored !== undefined) return { created: false, credentials: JSON.parse(stored) };
    try {
      const credentials = await inTransaction(ctx, async ({ trx }) => {
        const created = await createSandboxMerchant(withinTransaction(ctx, trx), { name: 'Kasse Demo Shop', rateLimits: false });
        await insertMeta(trx, DEMO_KEY, JSON.stringify(created));
        return created;
      });
      return { created: true, credentials };
    } catch (error) {
      if (!isUniqueViolation(error) || attempt > 0) throw error;
    }
  }
}
