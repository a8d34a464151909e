import { findSalesUnit } from '../store/repos/merchants.ts';
import type { SalesUnitRow } from '../store/schema.ts';
import type { Tx } from './context.ts';
import { PerTransaction } from './per-transaction.ts';

/** The sales units a transaction has read, by MSN. */
const units = new PerTransaction<string, SalesUnitRow>();

/** The locked read of a payment brings its sales unit along (lockPayment): later reads in the transaction reuse it. */
export function rememberSalesUnit(tx: Tx, unit: SalesUnitRow): void {
  units.set(tx, unit.msn, unit);
}

/** A sales unit as this transaction sees it: read once, then remembered (fees and callback attempts of an operation). */
export async function salesUnitIn(tx: Tx, msn: string): Promise<SalesUnitRow | undefined> {
  const known = units.get(tx, msn);
  if (known !== undefined) return known;
  const unit = await findSalesUnit(tx.trx, msn);
  if (unit !== undefined) rememberSalesUnit(tx, unit);
  return unit;
}
