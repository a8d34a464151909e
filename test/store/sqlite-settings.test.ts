// Property: the SQLite write connection is durable as the README promises (WAL, synchronous = FULL: a COMMIT returns
// after its fsync) and keeps its temporary storage in memory (temp_store = MEMORY: the group commit's per-command
// SAVEPOINT sub-journals and RETURNING's result tables, which as temporary files cost a write() per page).
// Method: a fresh database file; the settings read back through the store's own write path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/db.ts';
import { freshDatabase } from '../support/databases.ts';

test('the SQLite write connection: WAL, synchronous FULL, foreign keys, temporary storage in memory', async () => {
  const database = await freshDatabase('sqlite');
  const store = await openStore(database.url);
  try {
    const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(store.db)).rows[0] as object)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('synchronous'), 2, 'synchronous = FULL');
    assert.equal(await pragma('foreign_keys'), 1);
    assert.equal(await pragma('temp_store'), 2, 'temp_store = MEMORY');
  } finally {
    await store.close();
    await database.drop();
  }
});
