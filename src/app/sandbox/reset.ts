import { deleteAllData } from '../../store/dialect.ts';
import type { AppContext } from '../context.ts';

/** Empty all data (merchants, payments, ledger, callbacks). The signing key and clock offset stay. */
export async function resetSandbox(ctx: AppContext): Promise<void> {
  await deleteAllData(ctx.store.db, ctx.store.kind);
  await ctx.store.db.deleteFrom('kasse_meta').where('key', '=', 'demo_merchant_credentials').execute();
}
