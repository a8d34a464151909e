import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { UserAddressRow, UserAddressTable } from '../schema.ts';

export async function insertAddress(db: Executor, row: Insertable<UserAddressTable>): Promise<void> {
  await db.insertInto('user_address').values(row).execute();
}

/** The user's addresses, default first. */
export async function listAddresses(db: Executor, msisdn: string): Promise<UserAddressRow[]> {
  return db.selectFrom('user_address').selectAll().where('msisdn', '=', msisdn).orderBy('is_default', 'desc').orderBy('id').execute();
}
