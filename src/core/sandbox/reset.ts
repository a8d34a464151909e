import { deleteAllData, isRetryableConflict } from '../../store/dialect.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';
import { recordAudit, SANDBOX_ACTOR } from '../operators/audit.ts';
import { inTransaction } from '../transaction.ts';

const RESET_ATTEMPTS = 5;

/**
 * Empty all data (merchants, payments, ledger, callbacks). The signing key and the demo merchant's stored credentials
 * stay (the caller restores the demo merchant, so the credentials `npm start` printed keep working), and so do the
 * operators' accounts and the audit log, which records the reset.
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
  forgetCachedKeys(ctx);
  await inTransaction(ctx, (tx) => recordAudit(tx, SANDBOX_ACTOR, 'sandbox.reset', 'sandbox', null, null));
}
