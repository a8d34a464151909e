import { isRetryableConflict } from '../store/dialect.ts';
import type { Trx } from '../store/db.ts';
import type { AppContext } from './context.ts';

const MAX_CONFLICT_RETRIES = 5;

/**
 * One use case, one transaction, resolved once committed (on SQLite through group commit: src/store/group-commit.ts).
 * Serialization failures and deadlocks rolled back with no effect, so the whole transaction is retried (bounded).
 */
export async function inTransaction<T>(ctx: AppContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  // A context bound to an open transaction (see withinTransaction) joins it: a use case composed of others stays one
  // transaction, and the outer one decides about retries.
  if (ctx.store.db.isTransaction) return work(ctx.store.db as Trx);
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.store.transact(work);
    } catch (error) {
      if (!isRetryableConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/** The same context, with every use case it is passed to running inside `trx` (all or nothing). */
export function withinTransaction(ctx: AppContext, trx: Trx): AppContext {
  return { ...ctx, store: { ...ctx.store, db: trx } };
}
