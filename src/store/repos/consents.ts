import type { Executor } from '../db.ts';
import type { ConsentRow } from '../schema.ts';

export async function findConsent(db: Executor, msisdn: string, msn: string): Promise<ConsentRow | undefined> {
  return db.selectFrom('consent').selectAll().where('msisdn', '=', msisdn).where('msn', '=', msn).executeTakeFirst();
}

export async function findConsentBySub(db: Executor, msn: string, sub: string): Promise<ConsentRow | undefined> {
  return db.selectFrom('consent').selectAll().where('msn', '=', msn).where('sub', '=', sub).executeTakeFirst();
}

export async function findConsentById(db: Executor, msisdn: string, id: number): Promise<ConsentRow | undefined> {
  return db.selectFrom('consent').selectAll().where('msisdn', '=', msisdn).where('id', '=', id).executeTakeFirst();
}

export async function insertConsent(
  db: Executor,
  row: { msisdn: string; msn: string; sub: string; scope: string; consent_removal_prefix: string | null; created_at_ms: number },
): Promise<void> {
  await db
    .insertInto('consent')
    .values({ ...row, removed_at_ms: null })
    .onConflict((oc) => oc.columns(['msisdn', 'msn']).doNothing())
    .execute();
}

export async function updateConsent(
  db: Executor,
  id: number,
  changes: { scope: string; consent_removal_prefix: string | null; removed_at_ms: number | null },
): Promise<void> {
  await db.updateTable('consent').set(changes).where('id', '=', id).execute();
}

/** Removal is guarded so that a double click sends the merchant one DELETE, not two. */
export async function markConsentRemoved(db: Executor, id: number, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('consent').set({ removed_at_ms: nowMs }).where('id', '=', id).where('removed_at_ms', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listConsents(db: Executor, msisdn: string): Promise<ConsentRow[]> {
  return db.selectFrom('consent').selectAll().where('msisdn', '=', msisdn).where('removed_at_ms', 'is', null).orderBy('created_at_ms', 'desc').execute();
}
