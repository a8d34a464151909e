import { findSalesUnit } from '../store/repos/merchants.ts';
import type { SalesUnitRow } from '../store/schema.ts';
import type { Tx } from './context.ts';

/** The sales units a transaction has read, by MSN. Dropped with the transaction (a retry is a new Tx). */
const unitsByTx = new WeakMap<Tx, Map<string, SalesUnitRow>>();

/** The locked read of a payment brings its sales unit along (lockPayment): later reads in the transaction reuse it. */
export function rememberSalesUnit(tx: Tx, unit: SalesUnitRow): void {
  let units = unitsByTx.get(tx);
  if (units === undefined) unitsByTx.set(tx, (units = new Map()));
  units.set(unit.msn, unit);
}

/** A sales unit as this transaction sees it: read once, then remembered (fees and callback attempts of an operation). */
export async function salesUnitIn(tx: Tx, msn: string): Promise<SalesUnitRow | undefined> {
  const known = unitsByTx.get(tx)?.get(msn);
  if (known !== undefined) return known;
  const unit = await findSalesUnit(tx.trx, msn);
  if (unit !== undefined) rememberSalesUnit(tx, unit);
  return unit;
}
