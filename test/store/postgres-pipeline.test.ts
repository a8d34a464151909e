// Goal: PostgreSQL's statements that are not waited for (BEGIN, SAVEPOINT, writes without answer) cost no round trip
// of their own and change nothing a transaction sees or commits: later statements see their writes, their errors are
// reported with their own code by the next statement, and the transaction then rolls back whole. A held guarded update
// (store/write-guard.ts) that changes nothing fails its transaction with an error that says so. Statements sent
// `together` share one round trip and each answers its own rows and count, in order, on both engines; outside a
// transaction they are one implicit transaction (the dispatcher's attempt records rely on it). A named
// statement's rows are described once per connection and later answered alike without a Describe.
// Method: a store on a fresh PostgreSQL database; round trips counted as writes to the server's socket.
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, openStore, type Store, type Trx } from '../../src/store/db.ts';
import { prepared, preparedWrite, together } from '../../src/store/prepared.ts';
import { heldGuardedUpdate, isWriteGuardFailure } from '../../src/store/write-guard.ts';
import { freshDatabase, pgAvailable, type TestDatabase } from '../support/databases.ts';

const readMeta = prepared<{ key: string }, { value: string }>((db, p) => db.selectFrom('kasse_meta').select('value').where('key', '=', p.key));
const countMeta = prepared<{ key: string }, { n: number }>((db, p) => db.selectFrom('kasse_meta').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', p.key));
/** A write the server refuses to parse (no such function): its Parse fails, and what came after it never ran. */
const unparsable = preparedWrite<{ key: string }>((db, p) => db.insertInto('kasse_meta').values({ key: p.key, value: sql<string>`kasse_no_such_function()` }));
const putMeta = preparedWrite<{ key: string; value: string }>((db, p) => db.insertInto('kasse_meta').values({ key: p.key, value: p.value }));
/** An update that must change the key's value from `was` (store/write-guard.ts). */
const changeMetaIf = heldGuardedUpdate<{ key: string; was: string; value: string }>('meta_was', (db, p) =>
  db.updateTable('kasse_meta').set({ value: p.value }).where('key', '=', p.key).where('value', '=', p.was),
);
/** A read the server refuses to parse (no such function). */
const failingRead = prepared<{ key: string }, { value: string }>((db, p) => db.selectFrom('kasse_meta').select(sql<string>`kasse_no_such_function(${p.key})`.as('value')));
/** A write whose count is answered: DO NOTHING when the key is there. */
const claimMeta = prepared<{ key: string; value: string }, never>((db, p) =>
  db.insertInto('kasse_meta').values({ key: p.key, value: p.value }).onConflict((oc) => oc.column('key').doNothing()),
);

/** What `together` answers, on either engine: the claim's count, then the rows of two reads that see it. */
async function claimAndRead(store: Store, key: string) {
  return store.transact(async (trx) => {
    await putMeta.run(trx, { key: `${key}-held`, value: 'held' });
    const [claim, read, count] = await together(
      trx,
      claimMeta.bind(trx, { key, value: 'claimed' }),
      readMeta.bind(trx, { key }),
      countMeta.bind(trx, { key: `${key}-held` }),
    );
    return { claimed: claim.numAffectedRows, read: read.rows, counted: count.rows.map((row) => Number(row.n)) };
  });
}

describe('statements together (sqlite)', () => {
  test('each statement answers its own rows and count, in order, and sees what the ones before it wrote', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await migrateToLatest(store);
      assert.deepEqual(await claimAndRead(store, 'together-s'), { claimed: 1n, read: [{ value: 'claimed' }], counted: [1] });
    } finally {
      await store.close();
    }
  });
});

/** Runs `work` while every write to a socket whose peer is PostgreSQL's port is shown to `onWrite`, chunk by chunk. */
async function watchingWrites<T>(port: number, onWrite: (chunks: Buffer[]) => void, work: () => Promise<T>): Promise<T> {
  const socket = Socket.prototype as unknown as Record<'_write' | '_writev', (this: Socket, ...args: unknown[]) => unknown>;
  const originals = { _write: socket._write, _writev: socket._writev };
  socket._write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === port) onWrite([chunk as Buffer]);
    return originals._write.apply(this, [chunk, ...rest]);
  };
  socket._writev = function (this: Socket, chunks: unknown, ...rest: unknown[]) {
    if (this.remotePort === port) onWrite((chunks as Array<{ chunk: Buffer }>).map(({ chunk }) => chunk));
    return originals._writev.apply(this, [chunks, ...rest]);
  };
  try {
    return await work();
  } finally {
    Object.assign(socket, originals);
  }
}

/** How many writes go to PostgreSQL while `work` runs (a round trip is one). */
async function countingWrites<T>(port: number, work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  let writes = 0;
  const result = await watchingWrites(port, () => writes++, work);
  return { result, writes };
}

/** The type letters of the messages written to PostgreSQL while `work` runs (D is a Describe). */
async function sentMessages<T>(port: number, work: () => Promise<T>): Promise<{ result: T; types: string }> {
  let types = '';
  const read = (chunk: Buffer) => {
    // Every message after the startup is a type byte and a length that counts itself.
    for (let offset = 0; offset < chunk.length; offset += 1 + chunk.readInt32BE(offset + 1)) types += String.fromCharCode(chunk[offset]!);
  };
  const result = await watchingWrites(port, (chunks) => chunks.forEach(read), work);
  return { result, types };
}

/** A read with a column that is NULL when the value equals the key. */
const readMetaWide = prepared<{ key: string }, { key: string; value: string; other: string | null }>((db, p) =>
  db.selectFrom('kasse_meta').select(['key', 'value', sql<string | null>`nullif(value, ${p.key})`.as('other')]).where('key', '=', p.key),
);

describe('postgres', { skip: !pgAvailable() }, () => {
  let database: TestDatabase;
  let store: Store;
  let port: number;

  before(async () => {
    database = await freshDatabase('postgres');
    store = await openStore(database.url);
    await migrateToLatest(store);
    port = Number(new URL(database.url).port || 5432);
    // The pool's first connection is made outside the counted transactions.
    await store.transact(async (trx) => trx.selectFrom('kasse_meta').select('key').execute());
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  const metaOf = (key: string) => store.db.selectFrom('kasse_meta').select('value').where('key', '=', key).executeTakeFirst();

  test('BEGIN, a SAVEPOINT and a write without answer leave with the next statement: two round trips in all', async () => {
    const { result, writes } = await countingWrites(port, () =>
      store.transact(async (trx) => {
        await sql`SAVEPOINT before_write`.execute(trx);
        await putMeta.run(trx, { key: 'pipeline-a', value: 'written' });
        // The statement after the write sees it.
        return trx.selectFrom('kasse_meta').select('value').where('key', '=', 'pipeline-a').executeTakeFirst();
      }),
    );
    assert.deepEqual(result, { value: 'written' });
    assert.equal(writes, 2, 'BEGIN + SAVEPOINT + INSERT + SELECT in one write, COMMIT in the other');
    assert.deepEqual(await metaOf('pipeline-a'), { value: 'written' });
  });

  test('a write without answer that fails is reported by the next statement with its own error, and nothing commits', async () => {
    await store.transact((trx) => putMeta.run(trx, { key: 'pipeline-b', value: 'first' }));
    await assert.rejects(
      store.transact(async (trx) => {
        await putMeta.run(trx, { key: 'pipeline-c', value: 'would be written' });
        await putMeta.run(trx, { key: 'pipeline-b', value: 'duplicate' });
        await trx.selectFrom('kasse_meta').selectAll().execute();
      }),
      (error: { code?: string }) => error.code === '23505',
    );
    assert.equal(await metaOf('pipeline-c'), undefined);
    assert.deepEqual(await metaOf('pipeline-b'), { value: 'first' });
  });

  test('a failing write that is the last before COMMIT fails the commit with its own error', async () => {
    await assert.rejects(
      store.transact(async (trx) => {
        await putMeta.run(trx, { key: 'pipeline-d', value: 'would be written' });
        await putMeta.run(trx, { key: 'pipeline-b', value: 'duplicate' });
      }),
      (error: { code?: string }) => error.code === '23505',
    );
    assert.equal(await metaOf('pipeline-d'), undefined);
    // The connection went back to the pool usable.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.transact((trx) => putMeta.run(trx, { key: `pipeline-e${i}`, value: 'ok' }))));
    assert.equal(results.length, 12);
    assert.deepEqual(await metaOf('pipeline-e11'), { value: 'ok' });
  });

  test('a held guarded update whose guard holds costs no round trip of its own and commits', async () => {
    await store.transact((trx) => putMeta.run(trx, { key: 'guard-a', value: 'before' }));
    const { writes } = await countingWrites(port, () =>
      store.transact(async (trx) => {
        await putMeta.run(trx, { key: 'guard-b', value: 'beside' });
        await changeMetaIf.run(trx, { key: 'guard-a', was: 'before', value: 'after' });
      }),
    );
    assert.equal(writes, 1, 'BEGIN, the write, the guarded update and COMMIT in one write');
    assert.deepEqual(await metaOf('guard-a'), { value: 'after' });
    assert.deepEqual(await metaOf('guard-b'), { value: 'beside' });
  });

  test('a held guarded update that changes nothing fails its transaction as a write-guard failure: nothing commits', async () => {
    await store.transact((trx) => putMeta.run(trx, { key: 'guard-c', value: 'before' }));
    await assert.rejects(
      store.transact(async (trx) => {
        await putMeta.run(trx, { key: 'guard-d', value: 'would be written' });
        await changeMetaIf.run(trx, { key: 'guard-c', was: 'something else', value: 'after' });
      }),
      (error: unknown) => isWriteGuardFailure(error),
    );
    assert.equal(await metaOf('guard-d'), undefined);
    assert.deepEqual(await metaOf('guard-c'), { value: 'before' });
    assert.equal((await store.db.selectFrom('write_guard').selectAll().execute()).length, 0, 'the guard table holds no row');
    // Any other failure is not one.
    await assert.rejects(
      store.transact((trx) => putMeta.run(trx, { key: 'guard-c', value: 'duplicate' })),
      (error: unknown) => !isWriteGuardFailure(error) && (error as { code?: string }).code === '23505',
    );
  });

  test('a rollback to a savepoint undoes the writes after it that were not waited for', async () => {
    await store.transact(async (trx) => {
      await putMeta.run(trx, { key: 'pipeline-f', value: 'kept' });
      await sql`SAVEPOINT undo_me`.execute(trx);
      await putMeta.run(trx, { key: 'pipeline-g', value: 'undone' });
      await sql`ROLLBACK TO SAVEPOINT undo_me`.execute(trx);
    });
    assert.deepEqual(await metaOf('pipeline-f'), { value: 'kept' });
    assert.equal(await metaOf('pipeline-g'), undefined);
  });

  test('outside a transaction a write without answer is waited for', async () => {
    await assert.rejects(putMeta.run(store.db, { key: 'pipeline-b', value: 'duplicate' }), (error: { code?: string }) => error.code === '23505');
    await putMeta.run(store.db, { key: 'pipeline-h', value: 'autocommit' });
    assert.deepEqual(await metaOf('pipeline-h'), { value: 'autocommit' });
  });

  test('statements together go in one round trip with what is held, each answering its own rows and count, in order', async () => {
    const { result, writes } = await countingWrites(port, () => claimAndRead(store, 'together-a'));
    assert.deepEqual(result, { claimed: 1n, read: [{ value: 'claimed' }], counted: [1] });
    assert.equal(writes, 2, 'BEGIN + held INSERT + the three statements in one write, COMMIT in the other');
    // A second claim of the same key inserts nothing; its count says so.
    const second = await store.transact(async (trx) => {
      const [claim, read] = await together(trx, claimMeta.bind(trx, { key: 'together-a', value: 'again' }), readMeta.bind(trx, { key: 'together-a' }));
      return { claimed: claim.numAffectedRows, read: read.rows };
    });
    assert.deepEqual(second, { claimed: 0n, read: [{ value: 'claimed' }] });
  });

  test('outside a transaction, statements together are one round trip and one implicit transaction: all or none', async () => {
    const { result, writes } = await countingWrites(port, () =>
      together(store.db, claimMeta.bind(store.db, { key: 'implicit-a', value: 'a' }), claimMeta.bind(store.db, { key: 'implicit-b', value: 'b' })),
    );
    assert.deepEqual(
      result.map((r) => r.numAffectedRows),
      [1n, 1n],
    );
    assert.equal(writes, 1, 'both statements and their Sync in one write');
    assert.deepEqual(await metaOf('implicit-b'), { value: 'b' });
    await assert.rejects(together(store.db, claimMeta.bind(store.db, { key: 'implicit-c', value: 'c' }), failingRead.bind(store.db, { key: 'implicit-c' })));
    assert.equal(await metaOf('implicit-c'), undefined, 'the first statement rolled back with the second');
  });

  test('an error in a statement sent together fails the transaction with its own code, and nothing commits', async () => {
    await assert.rejects(
      store.transact(async (trx) => {
        await putMeta.run(trx, { key: 'together-b', value: 'would be written' });
        await together(trx, readMeta.bind(trx, { key: 'together-b' }), failingRead.bind(trx, { key: 'together-c' }), readMeta.bind(trx, { key: 'together-b' }));
      }),
      (error: { code?: string }) => error.code === '42883',
    );
    assert.equal(await metaOf('together-b'), undefined);
    assert.deepEqual(await claimAndRead(store, 'together-d'), { claimed: 1n, read: [{ value: 'claimed' }], counted: [1] });
  });

  test('a named statement is described once per connection: later runs send no Describe and answer the same rows', async () => {
    // A new pool of one connection: nothing is described on it yet.
    const fresh = await openStore(database.url);
    try {
      await fresh.transact((trx) => Promise.all([putMeta.run(trx, { key: 'shape-a', value: 'a' }), putMeta.run(trx, { key: 'shape-b', value: 'shape-b' })]));
      const readBoth = (trx: Trx) =>
        together(trx, claimMeta.bind(trx, { key: 'shape-c', value: 'c' }), readMetaWide.bind(trx, { key: 'shape-a' }), readMetaWide.bind(trx, { key: 'shape-b' }), readMetaWide.bind(trx, { key: 'shape-none' }));
      const rowsOf = (results: Awaited<ReturnType<typeof readBoth>>) => ({ claimed: results[0].numAffectedRows, rows: results.slice(1).map((result) => result.rows) });
      const first = await sentMessages(port, () => fresh.transact(async (trx) => rowsOf(await readBoth(trx))));
      const second = await sentMessages(port, () => fresh.transact(async (trx) => rowsOf(await readBoth(trx))));
      const expectedRows = [[{ key: 'shape-a', value: 'a', other: 'a' }], [{ key: 'shape-b', value: 'shape-b', other: null }], []];
      assert.deepEqual(first.result, { claimed: 1n, rows: expectedRows });
      assert.deepEqual(second.result, { claimed: 0n, rows: expectedRows }, 'the same rows, each in its own result, from rows made without a Describe');
      const describes = (types: string) => [...types].filter((type) => type === 'D').length;
      assert.equal(describes(first.types), 4, 'the first time each answered statement is described');
      assert.equal(describes(second.types), 0, 'then none is, the write without RETURNING included');
      // Alone, and after rows of another statement in the same transaction.
      const alone = await sentMessages(port, () =>
        fresh.transact(async (trx) => [await readMetaWide.all(trx, { key: 'shape-b' }), await readMeta.all(trx, { key: 'shape-a' })]),
      );
      assert.deepEqual(alone.result, [[{ key: 'shape-b', value: 'shape-b', other: null }], [{ value: 'a' }]]);
      assert.equal(describes(alone.types), 1, 'only the statement this connection had not run before');
    } finally {
      await fresh.close();
    }
  });

  test('named statements first parsed in a failing sequence are parsed again exactly when the server did not keep them', async () => {
    // A new pool: none of these statements is parsed on its connection yet.
    const fresh = await openStore(database.url);
    try {
      // The INSERT fails when it runs, after every Parse of the sequence took effect: running it again must not parse
      // it again ("prepared statement already exists").
      await assert.rejects(
        fresh.transact(async (trx) => {
          await putMeta.run(trx, { key: 'pipeline-b', value: 'duplicate' });
          await readMeta.first(trx, { key: 'pipeline-b' });
        }),
        (error: { code?: string }) => error.code === '23505',
      );
      // Its Parse fails, so the SELECT's Parse after it never ran: the SELECT must be parsed when it runs next
      // ("prepared statement does not exist" otherwise).
      await assert.rejects(
        fresh.transact(async (trx) => {
          await unparsable.run(trx, { key: 'pipeline-j' });
          await countMeta.first(trx, { key: 'pipeline-b' });
        }),
        (error: { code?: string }) => error.code === '42883',
      );
      const [written, counted] = await fresh.transact(async (trx) => {
        await putMeta.run(trx, { key: 'pipeline-i', value: 'after the failures' });
        return [await readMeta.first(trx, { key: 'pipeline-i' }), await countMeta.first(trx, { key: 'pipeline-b' })];
      });
      assert.deepEqual(written, { value: 'after the failures' });
      assert.equal(Number(counted?.n), 1);
      assert.equal(fresh.poolStats().connections, 1, 'every transaction ran on the one connection');
    } finally {
      await fresh.close();
    }
  });
});
