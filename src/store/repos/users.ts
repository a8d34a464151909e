import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import { prepared } from '../prepared.ts';
import type { TestUserRow, TestUserTable } from '../schema.ts';

const testUserByMsisdn = prepared<{ msisdn: string }, TestUserRow>((db, p) => db.selectFrom('test_user').selectAll().where('msisdn', '=', p.msisdn));

export async function findTestUser(db: Executor, msisdn: string) {
  return testUserByMsisdn.first(db, { msisdn });
}

export async function insertTestUserIfAbsent(db: Executor, row: Insertable<TestUserTable>): Promise<void> {
  await db.insertInto('test_user').values(row).onConflict((oc) => oc.column('msisdn').doNothing()).execute();
}

/** Passing BankID once in the app makes a test user BankID verified (force approve needs that). */
export async function setBankIdVerified(db: Executor, msisdn: string): Promise<void> {
  await db.updateTable('test_user').set({ bankid_verified: 1 }).where('msisdn', '=', msisdn).execute();
}

/** The numbers of the test users, in order, at most `limit`. */
export async function listTestUserNumbers(db: Executor, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('test_user').select('msisdn').orderBy('msisdn').limit(limit).execute();
  return rows.map((row) => row.msisdn);
}
