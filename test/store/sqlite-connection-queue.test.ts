// Property: on SQLite every query and transaction takes the one connection in turn, in the order they asked for it,
// and nothing runs inside another's open transaction. Kysely's own mutex woke every waiter on each release to race
// for the connection again (O(waiters) per statement: a third of the throughput lost at 64 concurrent requests,
// bench/README.md); the queue in src/store/dialect.ts hands the connection to the oldest waiter instead.
// Method: hold a transaction open across an await, queue plain queries and transactions behind it, and record the
// order in which they run and what each one sees; count the promises a queue of waiters costs (a deterministic count,
// not a timing): the cost per waiting query must not grow with the length of the queue.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.ts';

describe('SQLite connection queue', () => {
  let store: Store;
  before(async () => {
    store = await openStore('sqlite::memory:');
    await sql`CREATE TABLE turn (n INTEGER NOT NULL)`.execute(store.db);
  });
  after(() => store.close());

  test('queries queued behind an open transaction run after it, in the order they were issued', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = store.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO turn (n) VALUES (1)`.execute(trx);
      await held;
      ran.push('transaction');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const queued = Array.from({ length: 40 }, (_, i) =>
      sql<{ n: number }>`SELECT count(*) AS n FROM turn`.execute(store.db).then((result) => {
        ran.push(`query ${i}`);
        return result.rows[0]!.n;
      }),
    );
    release();
    const seen = await Promise.all([transaction, ...queued]);
    assert.deepEqual(ran, ['transaction', ...queued.map((_, i) => `query ${i}`)]);
    // None of them ran inside the transaction: each saw its committed row, never an uncommitted state.
    assert.ok(seen.slice(1).every((n) => n === 1));
  });

  test('a query issued after the connection was released does not overtake one already waiting', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = store.db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await held;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = sql`SELECT 1`.execute(store.db).then(() => ran.push('waiting'));
    release();
    // Issued while the release is in progress: it must queue behind `waiting`.
    const late = first.then(() => sql`SELECT 1`.execute(store.db).then(() => ran.push('late')));
    await Promise.all([waiting, late]);
    assert.deepEqual(ran, ['waiting', 'late']);
  });

  test('draining a queue of waiters costs the same per query whether 50 or 400 are waiting', async () => {
    const promisesPerQuery = async (waiting: number) => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const transaction = store.db.transaction().execute(() => held);
      await new Promise((resolve) => setImmediate(resolve));
      const queued = Array.from({ length: waiting }, () => sql`SELECT 1`.execute(store.db));
      let promises = 0;
      const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable();
      release();
      await Promise.all([transaction, ...queued]);
      hook.disable();
      return promises / waiting;
    };
    await promisesPerQuery(50); // warm up: first calls compile and cache
    const few = await promisesPerQuery(50);
    const many = await promisesPerQuery(400);
    // A release that wakes every waiter costs O(waiters) per query: 400 waiters would cost several times 50's.
    assert.ok(many < few * 1.25, `${many.toFixed(1)} promises per query with 400 waiting vs ${few.toFixed(1)} with 50`);
  });

  test('transactions queued behind each other never interleave their statements', async () => {
    const log: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.db.transaction().execute(async (trx) => {
          log.push(`begin ${i}`);
          await sql`INSERT INTO turn (n) VALUES (${i})`.execute(trx);
          await new Promise((resolve) => setImmediate(resolve));
          await sql`SELECT count(*) FROM turn`.execute(trx);
          log.push(`end ${i}`);
        }),
      ),
    );
    assert.deepEqual(
      log,
      Array.from({ length: 20 }, (_, i) => [`begin ${i}`, `end ${i}`]).flat(),
    );
  });
});
