import { insertApiCalls, type NewApiCall } from '../../store/repos/api-calls.ts';
import type { AppContext } from '../context.ts';

/** Writes a batch of recorded merchant API calls in one transaction (the recorder's flush). */
export async function storeApiCalls(ctx: AppContext, batch: NewApiCall[]): Promise<void> {
  await ctx.store.transact((trx) => insertApiCalls(trx, ctx.store.kind, batch));
}
