import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { PartnerKeyTable, PartnerTable, SalesUnitRow } from '../schema.ts';

export async function insertPartner(db: Executor, row: Insertable<PartnerTable>): Promise<void> {
  await db.insertInto('partner').values(row).execute();
}

export async function findPartner(db: Executor, id: string) {
  return db.selectFrom('partner').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPartners(db: Executor) {
  return db.selectFrom('partner').selectAll().orderBy('created_at_ms').orderBy('id').execute();
}

/** Attach a sales unit to a partner; false when it already was. */
export async function insertPartnerSalesUnit(db: Executor, partnerId: string, msn: string, nowMs: number): Promise<boolean> {
  const inserted = await db
    .insertInto('partner_sales_unit')
    .values({ partner_id: partnerId, msn, created_at_ms: nowMs })
    .onConflict((oc) => oc.columns(['partner_id', 'msn']).doNothing())
    .returning('msn')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function deletePartnerSalesUnit(db: Executor, partnerId: string, msn: string): Promise<boolean> {
  const result = await db.deleteFrom('partner_sales_unit').where('partner_id', '=', partnerId).where('msn', '=', msn).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function listPartnerSalesUnits(db: Executor, partnerId: string): Promise<SalesUnitRow[]> {
  return db
    .selectFrom('partner_sales_unit')
    .innerJoin('sales_unit', 'sales_unit.msn', 'partner_sales_unit.msn')
    .selectAll('sales_unit')
    .where('partner_sales_unit.partner_id', '=', partnerId)
    .orderBy('sales_unit.msn')
    .execute();
}

/** A sales unit, only if it is attached to the partner (every partner call names one). */
export async function findPartnerSalesUnit(db: Executor, partnerId: string, msn: string): Promise<SalesUnitRow | undefined> {
  return db
    .selectFrom('partner_sales_unit')
    .innerJoin('sales_unit', 'sales_unit.msn', 'partner_sales_unit.msn')
    .selectAll('sales_unit')
    .where('partner_sales_unit.partner_id', '=', partnerId)
    .where('partner_sales_unit.msn', '=', msn)
    .executeTakeFirst();
}

export async function insertPartnerKey(db: Executor, row: Insertable<PartnerKeyTable>): Promise<void> {
  await db.insertInto('partner_key').values(row).execute();
}

export async function findPartnerKey(db: Executor, clientId: string) {
  return db.selectFrom('partner_key').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function listPartnerKeys(db: Executor, partnerId: string) {
  return db
    .selectFrom('partner_key')
    .select(['client_id', 'partner_id', 'created_at_ms', 'revoked_at_ms'])
    .where('partner_id', '=', partnerId)
    .orderBy('created_at_ms')
    .execute();
}

export async function revokePartnerKeyRow(db: Executor, partnerId: string, clientId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('partner_key')
    .set({ revoked_at_ms: nowMs })
    .where('partner_id', '=', partnerId)
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
