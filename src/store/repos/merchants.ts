import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../db.ts';
import { prepared } from '../prepared.ts';
import type { ApiKeyTable, MerchantTable, SalesUnitRow, SalesUnitTable } from '../schema.ts';

export async function insertMerchant(db: Executor, row: Insertable<MerchantTable>): Promise<void> {
  await db.insertInto('merchant').values(row).execute();
}

export async function findMerchant(db: Executor, id: string) {
  return db.selectFrom('merchant').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listMerchants(db: Executor) {
  return db.selectFrom('merchant').selectAll().orderBy('created_at_ms').orderBy('id').execute();
}

export async function insertSalesUnit(db: Executor, row: Insertable<SalesUnitTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('sales_unit')
    .values(row)
    .onConflict((oc) => oc.column('msn').doNothing())
    .returning('msn')
    .executeTakeFirst();
  return inserted !== undefined;
}

const salesUnitByMsn = prepared<{ msn: string }, SalesUnitRow>((db, p) => db.selectFrom('sales_unit').selectAll().where('msn', '=', p.msn));

export async function findSalesUnit(db: Executor, msn: string): Promise<SalesUnitRow | undefined> {
  return salesUnitByMsn.first(db, { msn });
}

export async function listSalesUnits(db: Executor, merchantId?: string): Promise<SalesUnitRow[]> {
  let query = db.selectFrom('sales_unit').selectAll();
  if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
  return query.orderBy('msn').execute();
}

export async function updateSalesUnit(db: Executor, msn: string, changes: Updateable<SalesUnitTable>): Promise<SalesUnitRow | undefined> {
  return db.updateTable('sales_unit').set(changes).where('msn', '=', msn).returningAll().executeTakeFirst();
}

export async function insertApiKey(db: Executor, row: Insertable<ApiKeyTable>): Promise<void> {
  await db.insertInto('api_key').values(row).execute();
}

export async function findApiKey(db: Executor, clientId: string) {
  return db.selectFrom('api_key').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/** The live key set a subscription key belongs to, if any (only to explain a refusal; never to authenticate). */
export async function findLiveKeyBySubscriptionKeyHash(db: Executor, subscriptionKeySha256: string) {
  return db
    .selectFrom('api_key')
    .select(['client_id', 'msn'])
    .where('subscription_key_sha256', '=', subscriptionKeySha256)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: Executor, msn: string) {
  return db
    .selectFrom('api_key')
    .select(['client_id', 'msn', 'created_at_ms', 'revoked_at_ms'])
    .where('msn', '=', msn)
    .orderBy('created_at_ms')
    .execute();
}

export async function revokeApiKey(db: Executor, msn: string, clientId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('api_key')
    .set({ revoked_at_ms: nowMs })
    .where('msn', '=', msn)
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An API key with its sales unit, in one read (every authenticated call needs both). */
export async function findKeyWithSalesUnit(db: Executor, clientId: string) {
  return db
    .selectFrom('api_key')
    .innerJoin('sales_unit', 'sales_unit.msn', 'api_key.msn')
    .selectAll('sales_unit')
    .select(['api_key.client_id', 'api_key.client_secret_sha256', 'api_key.subscription_key_sha256', 'api_key.revoked_at_ms'])
    .where('api_key.client_id', '=', clientId)
    .executeTakeFirst();
}

/**
 * The idle rule as one guarded statement: active test units that became active before `cutoffMs` and have had no
 * payment initiated since are deactivated. Returns the units it deactivated.
 */
export async function deactivateIdleTestUnits(db: Executor, args: { cutoffMs: number; nowMs: number }): Promise<SalesUnitRow[]> {
  return db
    .updateTable('sales_unit')
    .set({ status: 'deactivated', updated_at_ms: args.nowMs })
    .where('test_unit', '=', 1)
    .where('status', '=', 'active')
    .where('active_since_ms', '<', args.cutoffMs)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('payment').select('payment.id').whereRef('payment.msn', '=', 'sales_unit.msn').where('payment.created_at_ms', '>=', args.cutoffMs))),
    )
    .returningAll()
    .execute();
}
