import { findMerchant, listSalesUnits } from '../../store/repos/merchants.ts';
import type { SalesUnitRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../merchants/sales-units.ts';

/**
 * What a portal user may see: their merchant's sales units, read per request. Every portal query takes the MSNs of
 * this scope, so another merchant's payment, call, key or settlement is "not found" exactly like a missing one.
 */
export interface MerchantScope {
  merchantId: string;
  merchantName: string;
  units: SalesUnitRow[];
  msns: string[];
}

export async function merchantScope(ctx: AppContext, merchantId: string): Promise<MerchantScope> {
  const [merchant, units] = await Promise.all([findMerchant(ctx.store.db, merchantId), listSalesUnits(ctx.store.db, merchantId)]);
  if (!merchant) throw new NotFoundError(`merchant ${merchantId} does not exist`);
  return { merchantId, merchantName: merchant.name, units, msns: units.map((u) => u.msn) };
}

/** The MSN if it is one of the scope's sales units; otherwise the same "not found" as an unknown one. */
export function ownUnit(scope: MerchantScope, msn: string): SalesUnitRow {
  const unit = scope.units.find((u) => u.msn === msn);
  if (!unit) throw new NotFoundError(`sales unit ${msn} does not exist`);
  return unit;
}
