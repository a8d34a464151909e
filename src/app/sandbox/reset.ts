import { deleteAllData, isRetryableConflict } from '../../store/dialect.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';

const RESET_ATTEMPTS = 5;

/**
 * Empty all data (merchants, payments, ledger, callbacks). The signing key and clock offset stay.
 * On PostgreSQL the TRUNCATE can deadlock with a delivery that is still writing; it then had no effect and is retried.
 */
export async function resetSandbox(ctx: AppContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deleteAllData(ctx.store.db, ctx.store.kind);
      break;
    } catch (error) {
      if (!isRetryableConflict(error) || attempt >= RESET_ATTEMPTS) throw error;
    }
  }
  await ctx.store.db.deleteFrom('kasse_meta').where('key', '=', 'demo_merchant_credentials').execute();
  forgetCachedKeys(ctx);
}
