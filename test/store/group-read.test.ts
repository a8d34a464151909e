// Property: the SELECTs requested outside any transaction during one turn of the event loop run together on SQLite's
// read connection in one read transaction (one BEGIN, one COMMIT), each answered with its own rows; every read sees
// every commit that returned before it was requested; a read that fails rejects alone and leaves the connection out
// of any transaction.
// Method: a real better-sqlite3 read connection on a scratch file whose exec calls are recorded, a second connection
// writing to the same file, and a scripted connection for the failures SQLite does not produce on demand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { GroupRead, type ReadConnection } from '../../src/store/group-read.ts';

const dir = mkdtempSync(join(tmpdir(), 'kasse-group-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function scratchFile(name: string): { writer: Database.Database; reader: ReadConnection; execs: string[] } {
  const path = join(dir, `${name}.sqlite`);
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE item (n INTEGER NOT NULL PRIMARY KEY)');
  const connection = new Database(path);
  connection.pragma('query_only = ON');
  const execs: string[] = [];
  const reader: ReadConnection = {
    prepare: (sqlText) => connection.prepare(sqlText),
    exec: (sqlText) => {
      execs.push(sqlText);
      connection.exec(sqlText);
    },
    get inTransaction() {
      return connection.inTransaction;
    },
    close: () => connection.close(),
  };
  return { writer, reader, execs };
}

const count = 'SELECT count(*) AS n FROM item';

describe('GroupRead (SQLite read connection)', () => {
  test('reads requested in one turn share one read transaction and each gets its own rows', async () => {
    const { writer, reader, execs } = scratchFile('shared');
    writer.prepare('INSERT INTO item (n) VALUES (?), (?), (?)').run(1, 2, 3);
    const reads = new GroupRead(reader);
    const answers = await Promise.all([
      reads.run('SELECT n FROM item WHERE n = ?', [1]),
      reads.run('SELECT n FROM item WHERE n >= ? ORDER BY n', [2]),
      reads.run(count, []),
    ]);
    assert.deepEqual(answers, [[{ n: 1 }], [{ n: 2 }, { n: 3 }], [{ n: 3 }]]);
    assert.deepEqual(execs, ['BEGIN', 'COMMIT']);
    // A read alone is its own statement: no transaction around it.
    assert.deepEqual(await reads.run(count, []), [{ n: 3 }]);
    assert.deepEqual(execs, ['BEGIN', 'COMMIT']);
    reads.close();
    writer.close();
  });

  test('a read sees every commit that returned before it was requested, also within the same turn', async () => {
    const { writer, reader } = scratchFile('fresh');
    const reads = new GroupRead(reader);
    const before = reads.run(count, []);
    writer.prepare('INSERT INTO item (n) VALUES (?)').run(1);
    const afterFirst = reads.run(count, []);
    assert.deepEqual(await afterFirst, [{ n: 1 }]);
    // The group runs after both were requested: the earlier read is not answered from an older snapshot either.
    assert.deepEqual(await before, [{ n: 1 }]);
    writer.prepare('INSERT INTO item (n) VALUES (?)').run(2);
    assert.deepEqual(await reads.run(count, []), [{ n: 2 }]);
    reads.close();
    writer.close();
  });

  test('a read that fails rejects alone; the others of its group answer and the next group starts clean', async () => {
    const { writer, reader, execs } = scratchFile('failing');
    writer.prepare('INSERT INTO item (n) VALUES (?)').run(7);
    const reads = new GroupRead(reader);
    const [good, bad, alsoGood] = await Promise.allSettled([reads.run(count, []), reads.run('SELECT nope FROM item', []), reads.run('SELECT n FROM item', [])]);
    assert.deepEqual(good, { status: 'fulfilled', value: [{ n: 1 }] });
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /no such column/);
    assert.deepEqual(alsoGood, { status: 'fulfilled', value: [{ n: 7 }] });
    assert.equal(reader.inTransaction, false);
    assert.deepEqual(await Promise.all([reads.run(count, []), reads.run(count, [])]), [[{ n: 1 }], [{ n: 1 }]]);
    assert.deepEqual(execs, ['BEGIN', 'COMMIT', 'BEGIN', 'COMMIT']);
    reads.close();
    writer.close();
  });

  test('when ending the read transaction fails, the connection is rolled back out of it', async () => {
    const execs: string[] = [];
    let open = false;
    const scripted: ReadConnection = {
      prepare: () => ({ all: () => [{ ok: 1 }] }),
      exec: (sqlText) => {
        execs.push(sqlText);
        if (sqlText === 'BEGIN') open = true;
        else if (sqlText === 'COMMIT') throw new Error('SQLITE_IOERR');
        else if (sqlText === 'ROLLBACK') open = false;
      },
      get inTransaction() {
        return open;
      },
      close: () => {},
    };
    const reads = new GroupRead(scripted);
    assert.deepEqual(await Promise.all([reads.run('SELECT 1', []), reads.run('SELECT 1', [])]), [[{ ok: 1 }], [{ ok: 1 }]]);
    assert.deepEqual(execs, ['BEGIN', 'COMMIT', 'ROLLBACK']);
    assert.equal(open, false);
  });

  test('close answers the reads still waiting before it closes the connection', async () => {
    const { writer, reader } = scratchFile('closing');
    const reads = new GroupRead(reader);
    const waiting = reads.run(count, []);
    reads.close();
    assert.deepEqual(await waiting, [{ n: 0 }]);
    writer.close();
  });
});
