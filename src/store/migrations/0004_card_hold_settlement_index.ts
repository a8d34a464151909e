import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The job loop looks for held holds that lapse or settle (findDueHolds) on every pass — every poll and after every
 * approval. With only (status, lapses_at_ms) indexed, the `lapses OR settles` condition read every held hold:
 * 2–5 ms per pass at 20,000 open reservations on SQLite, growing linearly (bench/README.md). This index lets the
 * settling half be one small index range (only partially captured holds have settles_at_ms; the partial index
 * leaves out the rest, and keeps both planners from preferring a scan).
 */
export function cardHoldSettlementIndex(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createIndex('card_hold_settles')
        .on('card_hold')
        .columns(['status', 'settles_at_ms'])
        .where(sql.ref('settles_at_ms'), 'is not', null)
        .execute();
    },
  };
}
