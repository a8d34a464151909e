import type { Executor } from '../db.ts';

export async function readMeta(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('kasse_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Insert once; the first writer wins, so concurrent nodes agree on generated values such as signing keys. */
export async function readOrInitMeta(db: Executor, key: string, initial: () => string): Promise<string> {
  await db.insertInto('kasse_meta').values({ key, value: initial() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const value = await readMeta(db, key);
  if (value === undefined) throw new Error(`kasse_meta ${key} vanished`);
  return value;
}

export async function writeMeta(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('kasse_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Insert a key that must not exist yet: a second writer fails with a unique violation. */
export async function insertMeta(db: Executor, key: string, value: string): Promise<void> {
  await db.insertInto('kasse_meta').values({ key, value }).execute();
}
