import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { TestUserTable } from '../schema.ts';

export async function findTestUser(db: Executor, msisdn: string) {
  return db.selectFrom('test_user').selectAll().where('msisdn', '=', msisdn).executeTakeFirst();
}

export async function insertTestUserIfAbsent(db: Executor, row: Insertable<TestUserTable>): Promise<void> {
  await db.insertInto('test_user').values(row).onConflict((oc) => oc.column('msisdn').doNothing()).execute();
}
