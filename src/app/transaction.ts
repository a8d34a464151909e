import { isRetryableConflict } from '../store/dialect.ts';
import type { Trx } from '../store/db.ts';
import type { AppContext } from './context.ts';

const MAX_CONFLICT_RETRIES = 5;

/**
 * One use case, one transaction. Serialization failures and deadlocks rolled back with no effect, so the
 * whole transaction is retried (bounded).
 */
export async function inTransaction<T>(ctx: AppContext, work: (trx: Trx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.store.db.transaction().execute(work);
    } catch (error) {
      if (!isRetryableConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}
