// Whether a PostgreSQL server answers: one probe for the test command (scripts/run-tests.mjs), the test suites
// (test/support/databases.ts) and the benchmarks (bench/lib/pg.ts). Plain JavaScript so that node runs it without tsx;
// its types for TypeScript are in pg-probe.d.mts.
import pg from 'pg';

/**
 * Connects to `connectionString` and runs `SELECT 1`; any failure (refused, timed out, rejected login) is "no".
 * @param {string} connectionString
 * @param {number} [connectionTimeoutMillis] how long connecting may take
 * @returns {Promise<boolean>}
 */
export async function postgresAnswers(connectionString, connectionTimeoutMillis = 2000) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
