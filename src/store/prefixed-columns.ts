import { sql } from 'kysely';

/**
 * A second table's columns in the same row as the first's, each under a prefix (`unit__msn`): one statement answers
 * both rows where two reads would cost a round trip or a statement more. splitPrefixed takes such a row apart.
 */
export function prefixedColumns(table: string, columns: readonly string[], prefix: string) {
  return columns.map((column) => sql.ref(`${table}.${column}`).as(`${prefix}${column}`));
}

/** A row of prefixedColumns taken apart: the unprefixed columns, and the prefixed ones without their prefix. */
export function splitPrefixed<Own, Prefixed>(row: Record<string, unknown>, prefix: string): [Own, Prefixed] {
  const own: Record<string, unknown> = {};
  const prefixed: Record<string, unknown> = {};
  for (const key in row) {
    if (key.startsWith(prefix)) prefixed[key.slice(prefix.length)] = row[key];
    else own[key] = row[key];
  }
  return [own as Own, prefixed as Prefixed];
}
