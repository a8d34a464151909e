import type { CaptureType } from '../../store/schema.ts';
import { readMeta, writeMeta } from '../../store/repos/meta.ts';
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
 * The credentials are kept (it is a sandbox) so that every later start prints the same ones.
 */
export async function ensureDemoMerchant(ctx: AppContext): Promise<{ created: boolean; credentials: Awaited<ReturnType<typeof createApiKey>> }> {
  const stored = await readMeta(ctx.store.db, DEMO_KEY);
  if (stored !== undefined) return { created: false, credentials: JSON.parse(stored) };
  const credentials = await createSandboxMerchant(ctx, { name: 'Kasse Demo Shop', rateLimits: false });
  await writeMeta(ctx.store.db, DEMO_KEY, JSON.stringify(credentials));
  return { created: true, credentials };
}
