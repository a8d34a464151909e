// Kysely<Database>, not db.ts's Executor: store/dialect.ts builds on this file, and db.ts imports store/dialect.ts.
import type { Kysely } from 'kysely';
import type { Database, OutboxState } from '../schema.ts';
import { prepared } from '../prepared.ts';

/** A row of a leased work table (outbox, report_mail) as its worker claimed it (store/dialect.ts claimDueLeasedRows). */
interface ClaimedRow {
  id: number;
  attempts: number;
}

/** finishLeasedAttempt's values, each a value of its statement (so the statement is prepared once, store/prepared.ts). */
export interface FinishedAttempt {
  id: number;
  owner: string;
  /** The attempts the row had when claimed, and the count with this one. */
  attemptsBefore: number;
  attemptsAfter: number;
  nextState: OutboxState;
  nextAttemptAtMs: number;
  nowMs: number;
}

export function finishedAttemptOf(args: { row: ClaimedRow; owner: string; nextState: OutboxState; nextAttemptAtMs: number; nowMs: number }): FinishedAttempt {
  const { row, owner, nextState, nextAttemptAtMs, nowMs } = args;
  return { id: row.id, owner, attemptsBefore: row.attempts, attemptsAfter: row.attempts + 1, nextState, nextAttemptAtMs, nowMs };
}

/** finishLeasedAttempt's guarded UPDATE, for a statement that builds on it (store/dialect.ts recordAttempt). */
export function finishLeasedAttemptQuery(db: Kysely<Database>, table: 'outbox' | 'report_mail', p: FinishedAttempt) {
  return db
    .updateTable(table)
    .set({ attempts: p.attemptsAfter, state: p.nextState, next_attempt_at_ms: p.nextAttemptAtMs, lease_owner: null, lease_until_ms: null, updated_at_ms: p.nowMs })
    .where('id', '=', p.id)
    .where('lease_owner', '=', p.owner)
    .where('attempts', '=', p.attemptsBefore)
    .where('state', '=', 'pending');
}

const finishAttemptStatements = {
  outbox: prepared<FinishedAttempt, never>((db, p) => finishLeasedAttemptQuery(db, 'outbox', p)),
  report_mail: prepared<FinishedAttempt, never>((db, p) => finishLeasedAttemptQuery(db, 'report_mail', p)),
};

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
  const finished = finishedAttemptOf(args);
  return (await finishAttempt(db, table, finished)) ? finished.attemptsAfter : null;
}

/** finishLeasedAttempt with its values made: whether the row's update counted. */
export async function finishAttempt(db: Kysely<Database>, table: 'outbox' | 'report_mail', finished: FinishedAttempt): Promise<boolean> {
  return (await finishAttemptStatements[table].affected(db, finished)) === 1;
}
