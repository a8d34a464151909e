// Property: on SQLite a group-commit batch runs its commands' prepared statements on the write connection directly,
// with the same effects as through Kysely: a command's writes commit with the batch, a command that throws takes its
// writes back alone, and the batch's handle kept beyond its batch goes through Kysely again and is refused (the
// transaction is over) instead of reaching the connection outside any transaction or inside a later batch.
// Method: prepared inserts into kasse_meta on a fresh, migrated SQLite database; reads through the store's handle.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { migrateToLatest, openStore, type Store, type Trx } from '../../src/store/db.ts';
import { prepared } from '../../src/store/prepared.ts';
import { freshDatabase } from '../support/databases.ts';

const insertMeta = prepared<{ key: string; value: string }, never>((db, p) => db.insertInto('kasse_meta').values({ key: p.key, value: p.value }));
const metaValue = prepared<{ key: string }, { value: string }>((db, p) => db.selectFrom('kasse_meta').select('value').where('key', '=', p.key));

describe('direct statements in a group-commit batch (sqlite)', () => {
  let store: Store;
  let drop: () => Promise<void> = async () => {};
  after(async () => {
    await store?.close();
    await drop();
  });

  test('commit with the batch, roll back alone, and a handle kept beyond its batch is refused', async () => {
    const database = await freshDatabase('sqlite');
    drop = database.drop;
    store = await openStore(database.url);
    await migrateToLatest(store);

    let kept: Trx | null = null;
    const [first, failing, last] = await Promise.allSettled([
      store.transact(async (trx) => {
        kept = trx;
        return insertMeta.affected(trx, { key: 'direct-a', value: '1' });
      }),
      store.transact(async (trx) => {
        await insertMeta.affected(trx, { key: 'direct-b', value: '2' });
        throw new Error('this command fails after its insert');
      }),
      store.transact((trx) => insertMeta.affected(trx, { key: 'direct-c', value: '3' })),
    ]);
    assert.ok((store.groupCommitStats?.largestBatch ?? 0) >= 3, 'the three commands ran in one batch');
    assert.deepEqual(first, { status: 'fulfilled', value: 1 });
    assert.equal(failing.status, 'rejected');
    assert.deepEqual(last, { status: 'fulfilled', value: 1 });
    assert.deepEqual(await metaValue.first(store.db, { key: 'direct-a' }), { value: '1' });
    assert.equal(await metaValue.first(store.db, { key: 'direct-b' }), undefined);
    assert.deepEqual(await metaValue.first(store.db, { key: 'direct-c' }), { value: '3' });

    await assert.rejects(insertMeta.affected(kept!, { key: 'direct-late', value: '4' }), /already committed/);
    assert.equal(await metaValue.first(store.db, { key: 'direct-late' }), undefined);
  });
});
