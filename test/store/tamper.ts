// Tools for the reconcile tamper tests: break a database behind Kasse's back the way a bug would, lifting the engine
// guard (constraint or trigger) that would otherwise refuse the change.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createInsertOnlyGuards, dropInsertOnlyGuards, type DialectKind, type InsertOnlyTable } from '../../src/store/dialect.ts';
import type { Db } from '../../src/store/db.ts';

/**
 * Drops a named table constraint (CHECK or UNIQUE). PostgreSQL has ALTER TABLE … DROP CONSTRAINT; SQLite has none,
 * so the table is rebuilt without it (SQLite's documented way to change a table's constraints), and the insert-only
 * triggers a rebuild of the operation log would lose are put back.
 */
export async function dropConstraint(db: Db, kind: DialectKind, table: string, constraint: string): Promise<void> {
  if (kind === 'postgres') {
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.id(constraint)}`.execute(db);
    return;
  }
  const { rows } = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db);
  const createSql = rows[0]?.sql;
  assert.ok(createSql, `no table ${table}`);
  const rebuilt = `${table}_rebuilt`;
  const withoutConstraint = removeConstraintClause(createSql, constraint).replace(/^create table "?[a-z_]+"?/i, `CREATE TABLE "${rebuilt}"`);
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await sql.raw(withoutConstraint).execute(trx);
      await sql`INSERT INTO ${sql.table(rebuilt)} SELECT * FROM ${sql.table(table)}`.execute(trx);
      await sql`DROP TABLE ${sql.table(table)}`.execute(trx);
      await sql`ALTER TABLE ${sql.table(rebuilt)} RENAME TO ${sql.table(table)}`.execute(trx);
      await createInsertOnlyGuards(trx, kind);
    });
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/** `…, constraint "name" <clause>, …` → `…, …`: the clause ends at the next comma or closing parenthesis at its own depth. */
function removeConstraintClause(createSql: string, constraint: string): string {
  const start = createSql.toLowerCase().indexOf(`constraint "${constraint.toLowerCase()}"`);
  assert.ok(start > 0, `no constraint ${constraint} in ${createSql}`);
  let depth = 0;
  let end = start;
  for (; end < createSql.length; end++) {
    const ch = createSql[end];
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) break;
      depth--;
    } else if (ch === ',' && depth === 0) break;
  }
  const before = createSql.slice(0, start).replace(/,\s*$/, '');
  return `${before}${createSql.slice(end)}`;
}

/** Drops one of the insert-only triggers (invariant L2) as a migration that forgot it would. */
export async function dropTrigger(db: Db, kind: DialectKind, table: string, trigger: string): Promise<void> {
  await (kind === 'postgres' ? sql`DROP TRIGGER ${sql.id(trigger)} ON ${sql.table(table)}` : sql`DROP TRIGGER ${sql.id(trigger)}`).execute(db);
}

/**
 * Changes an insert-only table the way a bug in a migration would: its UPDATE/DELETE triggers dropped, the change
 * made, the triggers put back, so reconcile sees only what the change broke (not a missing guard, L2).
 */
export async function withoutInsertOnlyGuards(db: Db, kind: DialectKind, table: InsertOnlyTable, change: () => Promise<void>): Promise<void> {
  await dropInsertOnlyGuards(db, kind, table);
  try {
    await change();
  } finally {
    await createInsertOnlyGuards(db, kind, [table]);
  }
}
