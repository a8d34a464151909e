// Property: transactions submitted together through Store.transact are isolated from each other (one that throws
// takes none of its writes along and does not stop the others), each caller is answered only once its writes are
// committed, and on SQLite they share one COMMIT (group commit). The same calls behave the same on PostgreSQL.
// A single SELECT outside any transaction does not wait behind an open batch and never sees its uncommitted writes.
// Method: a scratch table on a fresh database per dialect; commands submitted in one turn of the event loop; after
// each caller is answered, a separate connection (another Store on the same database) must already see its row.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.ts';
import { GroupCommit } from '../../src/store/group-commit.ts';
import { freshDatabase, testDialects, type TestDatabase } from '../support/databases.ts';

async function scratch(dialect: 'sqlite' | 'postgres'): Promise<{ store: Store; observer: Store; database: TestDatabase }> {
  const database = await freshDatabase(dialect);
  const store = await openStore(database.url);
  await sql`CREATE TABLE item (n INTEGER NOT NULL PRIMARY KEY)`.execute(store.db);
  const observer = await openStore(database.url);
  return { store, observer, database };
}

async function committedItems(observer: Store): Promise<number[]> {
  const { rows } = await sql<{ n: number }>`SELECT n FROM item ORDER BY n`.execute(observer.db);
  return rows.map((r) => Number(r.n));
}

for (const dialect of await testDialects()) {
  describe(`Store.transact (${dialect})`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    test('one command that throws rolls back alone; the others commit, each answered only when committed', async () => {
      const { store, observer, database } = await scratch(dialect);
      cleanups.push(async () => {
        await store.close();
        await observer.close();
        await database.drop();
      });
      const seenWhenAnswered = new Map<number, number[]>();
      const insert = (n: number, fail: boolean) =>
        store
          .transact(async (trx) => {
            await trx.insertInto('item' as never).values({ n } as never).execute();
            if (fail) throw new Error(`command ${n} refused`);
            return n;
          })
          .then(async (value) => {
            seenWhenAnswered.set(n, await committedItems(observer));
            return value;
          });
      const results = await Promise.allSettled([insert(1, false), insert(2, true), insert(3, false), insert(4, false)]);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        [1, 'command 2 refused', 3, 4],
      );
      assert.deepEqual(await committedItems(observer), [1, 3, 4]);
      // Every answer came after its own row was visible to another connection (committed).
      for (const [n, seen] of seenWhenAnswered) assert.ok(seen.includes(n), `command ${n} answered before its commit: ${seen}`);
    });

    if (dialect === 'sqlite') {
      test('commands submitted together share one COMMIT when the batch admits them all', async () => {
        const { store, observer, database } = await scratch(dialect);
        cleanups.push(async () => {
          await store.close();
          await observer.close();
          await database.drop();
        });
        // A generous admission window, so a slow machine cannot close the batch after the first command.
        const group = new GroupCommit(store.db, { maxCommands: 64, maxAdmitMs: 60_000 });
        const results = await Promise.allSettled(
          [1, 2, 3].map((n) =>
            group.run(async (trx) => {
              await trx.insertInto('item' as never).values({ n } as never).execute();
              if (n === 2) throw new Error('refused');
            }),
          ),
        );
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
        assert.deepEqual(group.stats, { batches: 1, commands: 3, largestBatch: 3 });
        assert.deepEqual(await committedItems(observer), [1, 3]);
      });
    }

    test('a constraint violation inside a command rolls back that command only', async () => {
      const { store, observer, database } = await scratch(dialect);
      cleanups.push(async () => {
        await store.close();
        await observer.close();
        await database.drop();
      });
      await store.transact((trx) => trx.insertInto('item' as never).values({ n: 7 } as never).execute());
      const results = await Promise.allSettled([
        store.transact(async (trx) => {
          await trx.insertInto('item' as never).values({ n: 8 } as never).execute();
          await trx.insertInto('item' as never).values({ n: 7 } as never).execute();
        }),
        store.transact((trx) => trx.insertInto('item' as never).values({ n: 9 } as never).execute()),
      ]);
      assert.equal(results[0].status, 'rejected');
      assert.equal(results[1].status, 'fulfilled');
      assert.deepEqual(await committedItems(observer), [7, 9]);
    });

    test('a SELECT outside any transaction neither waits for an open batch nor sees its uncommitted writes', async () => {
      const { store, observer, database } = await scratch(dialect);
      cleanups.push(async () => {
        await store.close();
        await observer.close();
        await database.drop();
      });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
      const batch = store.transact(async (trx) => {
        await trx.insertInto('item' as never).values({ n: 5 } as never).execute();
        inserted();
        await held;
      });
      await insertedNow;
      const duringBatch = await Promise.race([
        store.db.selectFrom('item' as never).select('n' as never).execute(),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 2_000)),
      ]);
      release();
      await batch;
      assert.deepEqual(duringBatch, []);
      assert.deepEqual(
        (await store.db.selectFrom('item' as never).select('n' as never).execute()).map((r) => Number((r as { n: number }).n)),
        [5],
      );
    });
  });
}
