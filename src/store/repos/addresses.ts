import type { Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import type { UserAddressRow, UserAddressTable } from '../schema.ts';

export async function insertAddress(db: Executor, row: Insertable<UserAddressTable>): Promise<void> {
  await db.insertInto('user_address').values(row).execute();
}

/**
 * Outside the database an address is known by its public id, the row id + 100: the shipping-details request's
 * `addressId` has `minimum: 100` in the spec, and row ids start at 1. Every reader goes through listAddresses, so the
 * app, the stored shipping options and the merchant all see the same public id.
 */
const PUBLIC_ADDRESS_ID_OFFSET = 100;

/** The user's addresses, default first, with their public ids. */
export async function listAddresses(db: Executor, msisdn: string): Promise<UserAddressRow[]> {
  const rows = await db.selectFrom('user_address').selectAll().where('msisdn', '=', msisdn).orderBy('is_default', 'desc').orderBy('id').execute();
  return rows.map((row) => ({ ...row, id: row.id + PUBLIC_ADDRESS_ID_OFFSET }));
}
