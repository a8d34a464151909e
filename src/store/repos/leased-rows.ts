import type { Executor } from '../db.ts';
import type { OutboxState } from '../schema.ts';

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
  db: Executor,
  table: 'outbox' | 'report_mail',
  args: { row: ClaimedRow; owner: string; nextState: OutboxState; nextAttemptAtMs: number; nowMs: number },
): Promise<number | null> {
  const attemptNo = args.row.attempts + 1;
  const updated = await db
    .updateTable(table)
    .set({ attempts: attemptNo, state: args.nextState, next_attempt_at_ms: args.nextAttemptAtMs, lease_owner: null, lease_until_ms: null, updated_at_ms: args.nowMs })
    .where('id', '=', args.row.id)
    .where('lease_owner', '=', args.owner)
    .where('attempts', '=', args.row.attempts)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? attemptNo : null;
}
