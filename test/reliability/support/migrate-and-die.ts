/**
 * Fixture for migration-crash.test.ts: migrate DATABASE argv[2] with Kasse's own migrateToLatest, but SIGKILL this
 * process just before the argv[3]-th schema statement (CREATE/ALTER/DROP) runs — a crash in the middle of a migration.
 * Exits 0 without dying when the migrations have fewer statements.
 */
import { Kysely, type KyselyPlugin } from 'kysely';
import { dialectFor } from '../../../src/store/dialect.ts';
import { migrateToLatest } from '../../../src/store/db.ts';
import type { Database } from '../../../src/store/schema.ts';

const [url, killAtRaw] = process.argv.slice(2);
if (!url || !killAtRaw) throw new Error('usage: migrate-and-die.ts DATABASE_URL STATEMENT_NUMBER');
const killAt = Number(killAtRaw);
let statements = 0;
const dieMidMigration: KyselyPlugin = {
  transformQuery(args) {
    const kind = args.node.kind;
    if (/^(Create|Alter|Drop)\w*Node$/.test(kind) || kind === 'RawNode') {
      statements++;
      if (statements === killAt) process.kill(process.pid, 'SIGKILL');
    }
    return args.node;
  },
  async transformResult(args) {
    return args.result;
  },
};
const { kind, dialect, close, poolStats } = await dialectFor(url);
const db = new Kysely<Database>({ dialect, plugins: [dieMidMigration] });
await migrateToLatest({ db, kind });
process.stdout.write(`migrated with ${statements} schema statements\n`);
await db.destroy();
