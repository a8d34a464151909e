import { sql, type Kysely, type Migration } from 'kysely';
import { createInsertOnlyGuards, idColumnType, type DialectKind } from '../dialect.ts';

/**
 * The operator's console: an insert-only audit log of every operator action (who, what, before, after, when), and
 * what the idle rule for test sales units needs: which units are test units, and since when a unit is active
 * (created or last reactivated). Existing units are no test units and count as active since their last change.
 */
export function consoleAuditIdle(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', idColumnType(kind), (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind IN ('api-token', 'cli', 'operator', 'portal', 'sandbox', 'kasse')`))
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .execute();
      await db.schema.createIndex('audit_log_by_subject').on('audit_log').columns(['subject', 'id']).execute();
      await createInsertOnlyGuards(db, kind, ['audit_log']);

      await db.schema.alterTable('sales_unit').addColumn('test_unit', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('sales_unit').addColumn('active_since_ms', 'bigint').execute();
      await sql`UPDATE sales_unit SET active_since_ms = updated_at_ms`.execute(db);
    },
  };
}
