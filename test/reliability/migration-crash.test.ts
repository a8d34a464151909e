// Goal: a process killed in the middle of applying migrations leaves a database the next start migrates normally.
// Regression: on SQLite, Kysely's Migrator ran DDL outside a transaction (its SqliteAdapter claims no transactional
// DDL), so a SIGKILL between two CREATE statements left half a schema and no migration record, and every later start
// failed with "migration 0001_init failed: table kasse_meta already exists". Fixed in src/store/dialect.ts.
// Method: a fixture process runs Kasse's migrateToLatest and SIGKILLs itself just before the k-th schema statement,
// for k early, in the middle and near the end; then migrateToLatest runs again on the same database and must succeed,
// with every migration recorded and reconciliation (which also checks the insert-only triggers) clean. Both dialects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { Kysely, type KyselyPlugin } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { migrateToLatest, openStore } from '../../src/store/db.ts';
import { dialectFor } from '../../src/store/dialect.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { freshDatabase, testDialects, type DialectName } from '../support/databases.ts';
import { REPO_ROOT } from './support/child-kasse.ts';

/** How many schema statements a full migration runs (counted the way the fixture counts them). */
async function countSchemaStatements(dialect: DialectName): Promise<number> {
  const database = await freshDatabase(dialect);
  let statements = 0;
  const counter: KyselyPlugin = {
    transformQuery(args) {
      if (/^(Create|Alter|Drop)\w*Node$/.test(args.node.kind) || args.node.kind === 'RawNode') statements++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  const { kind, dialect: engine, close, poolStats } = await dialectFor(database.url);
  const db = new Kysely<Database>({ dialect: engine, plugins: [counter] });
  try {
    await migrateToLatest({ db, kind });
  } finally {
    await db.destroy();
    await close();
    await database.drop();
  }
  return statements;
}

async function migrateAndDie(url: string, killAt: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/support/migrate-and-die.ts', url, String(killAt)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

for (const dialect of testDialects()) {
  describe(`a crash in the middle of migrating (${dialect})`, () => {
    test('the next start migrates the database completely', { timeout: 240_000 }, async () => {
      const total = await countSchemaStatements(dialect);
      assert.ok(total > 10, `migrations run ${total} schema statements`);
      for (const killAt of [Math.ceil(total * 0.25), Math.ceil(total * 0.6), total - 1]) {
        const database = await freshDatabase(dialect);
        try {
          const crashed = await migrateAndDie(database.url, killAt);
          assert.equal(crashed.signal, 'SIGKILL', `the fixture died before statement ${killAt} of ${total}: ${crashed.output}`);
          const store = await openStore(database.url);
          try {
            await migrateToLatest(store);
            const applied = await store.db.selectFrom('kasse_migration' as never).select('name' as never).execute();
            assert.deepEqual(
              (applied as Array<{ name: string }>).map((m) => m.name).sort(),
              Object.keys(migrations(store.kind)).sort(),
              'every migration is recorded',
            );
            const report = await reconcile(store);
            assert.ok(report.ok, JSON.stringify(report.violations));
          } finally {
            await store.close();
          }
        } finally {
          await database.drop();
        }
      }
    });
  });
}
