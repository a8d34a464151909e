import { sql, type Kysely, type Migration } from 'kysely';
import { idColumnType, type DialectKind } from '../dialect.ts';

/**
 * Partner keys, Vipps-nummer sales units and the merchant API-call recording.
 * - A partner (an e-commerce platform) holds its own key sets, which act for the sales units attached to it.
 * - A sales unit has a kind: `ecommerce` (web payments) or `vippsnummer` (no web payments; its Report API handle is
 *   `NO:<vipps_number>`).
 * - `api_call`: one row per authenticated merchant API call, without bodies or secrets, kept for a number of days.
 */
export function partnerKeysApiCalls(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('partner')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('partner_sales_unit')
        .addColumn('partner_id', 'text', (c) => c.notNull().references('partner.id'))
        .addColumn('msn', 'text', (c) => c.notNull().references('sales_unit.msn'))
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('partner_sales_unit_pk', ['partner_id', 'msn'])
        .execute();
      await db.schema
        .createTable('partner_key')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('partner_id', 'text', (c) => c.notNull().references('partner.id'))
        .addColumn('client_secret_sha256', 'text', (c) => c.notNull())
        .addColumn('subscription_key_sha256', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at_ms', 'bigint')
        .execute();
      await db.schema.createIndex('partner_key_by_partner').on('partner_key').column('partner_id').execute();

      await db.schema
        .alterTable('sales_unit')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('ecommerce').check(sql`kind IN ('ecommerce', 'vippsnummer')`))
        .execute();
      await db.schema.alterTable('sales_unit').addColumn('vipps_number', 'text').execute();

      const primaryId = (c: any) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
      await db.schema
        .createTable('api_call')
        .addColumn('id', idColumnType(kind), primaryId)
        .addColumn('msn', 'text', (c) => c.notNull())
        .addColumn('partner_id', 'text')
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_group', 'text')
        .addColumn('error_code', 'text')
        .addColumn('latency_us', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('order_id', 'text')
        .addColumn('system_name', 'text')
        .addColumn('system_version', 'text')
        .addColumn('plugin_name', 'text')
        .addColumn('plugin_version', 'text')
        .addColumn('msn_header', 'text')
        .execute();
      await db.schema.createIndex('api_call_by_unit').on('api_call').columns(['msn', 'id']).execute();
      await db.schema.createIndex('api_call_by_order').on('api_call').columns(['msn', 'order_id']).execute();
      await db.schema.createIndex('api_call_by_time').on('api_call').column('at_ms').execute();
    },
  };
}
