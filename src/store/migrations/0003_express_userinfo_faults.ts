import { sql, type Kysely, type Migration } from 'kysely';
import { idColumnType, type DialectKind } from '../dialect.ts';

/** Express checkout (addresses, shipping, consents), userinfo grants, and sandbox fault rules for callbacks. */
export function expressUserinfoFaults(kind: DialectKind): Migration {
  const id = idColumnType(kind);
  const serial = (c: any) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_address')
        .addColumn('id', id, serial)
        .addColumn('msisdn', 'text', (c) => c.notNull().references('test_user.msisdn'))
        .addColumn('address_line1', 'text', (c) => c.notNull())
        .addColumn('address_line2', 'text')
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('post_code', 'text', (c) => c.notNull())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('address_type', 'text', (c) => c.notNull().check(sql`address_type IN ('H', 'W', 'O')`))
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_address_by_user').on('user_address').column('msisdn').execute();

      // Which merchant may use which user's data: express consent and userinfo scopes; removable by the user.
      await db.schema
        .createTable('consent')
        .addColumn('id', id, serial)
        .addColumn('msisdn', 'text', (c) => c.notNull())
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull().unique())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('consent_removal_prefix', 'text')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('removed_at_ms', 'bigint')
        .addUniqueConstraint('consent_per_user_and_merchant', ['msisdn', 'msn'])
        .execute();

      await db.schema
        .createTable('fault_rule')
        .addColumn('id', id, serial)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('drop_callbacks', 'delay_callbacks', 'slow_shipping')`))
        .addColumn('remaining', 'integer', (c) => c.notNull().check(sql`remaining >= 0`))
        .addColumn('delay_ms', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fault_rule_by_msn').on('fault_rule').columns(['msn', 'kind']).execute();

      for (const column of ['shipping_options_json', 'shipping_json', 'user_details_json', 'sub']) {
        await db.schema.alterTable('payment').addColumn(column, 'text').execute();
      }
      await db.schema.alterTable('outbox').addColumn('delayed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
