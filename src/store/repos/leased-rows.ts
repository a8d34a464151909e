// Kysely<Database>, not db.ts's Executor: store/dialect.ts builds on this file, and db.ts imports store/dialect.ts.
import type { Kysely } from 'kysely';
import type { Database, OutboxState } from '../schema.ts';

/** A row of a leased work table (outbox, report_mail) as its worker claimed it (store/dialect.ts claimDueLeasedRows). */
interface ClaimedRow {
  id: number;
  attempts: number;
}

/**
 * End one attempt at a claimed row: count it, set the row's next state and release the lease — only if this worker
 * still holds the lease of the unchanged, pending row. A worker whose lease lapsed (and whose row another worker
 * took) changes nothing. Returns the attempt's number, or null when nothing was changed, so the caller records the
 * attempt itself only when its row's update counted.
 */
export async function finishLeasedAttempt(
  db: Kysely<Database>,
  table: 'outbox' | 'report_mail',
  args: { row: ClaimedRow; owner: string; nextState: OutboxState; nextAttemptAtMs: number; nowMs: number },
): Promise<number | null> {
  const updated = await finishLeasedAttemptQuery(db, table, args).executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? args.row.attempts + 1 : null;
}

/** finishLeasedAttempt's guarded UPDATE, for a statement that builds on it (store/dialect.ts recordAttempt). */
export function finishLeasedAttemptQuery(
  db: Kysely<Database>,
  table: 'outbox' | 'report_mail',
  args: { row: ClaimedRow; owner: string; nextState: OutboxState; nextAttemptAtMs: number; nowMs: number },
) {
  return db
    .updateTable(table)
    .set({ attempts: args.row.attempts + 1, state: args.nextState, next_attempt_at_ms: args.nextAttemptAtMs, lease_owner: null, lease_until_ms: null, updated_at_ms: args.nowMs })
    .where('id', '=', args.row.id)
    .where('lease_owner', '=', args.owner)
    .where('attempts', '=', args.row.attempts)
    .where('state', '=', 'pending');
}
