import { Refused } from '../domain/refusals.ts';
import { isRetryableConflict } from '../store/dialect.ts';
import { runAsTransactionWork } from '../store/transaction-scope.ts';
import { isWriteGuardFailure } from '../store/write-guard.ts';
import type { Trx } from '../store/db.ts';
import { enqueueOutbound } from '../store/repos/outbox.ts';
import type { AppContext, Tx } from './context.ts';

const MAX_CONFLICT_RETRIES = 5;

/**
 * One use case, one transaction. A refusal the platform records (`Refused` with `recorded`: a failed RESERVE or
 * CAPTURE) commits what it wrote and is rethrown after the commit; any other exception, refusals included, rolls
 * back everything. Serialization failures and deadlocks had no effect, so the whole transaction is retried (bounded).
 * A context bound to an open transaction (withinTransaction) joins it: the outer use case decides.
 */
export async function inTransaction<T>(ctx: AppContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  const joined = ctx.store.db.isTransaction;
  let enqueued = false;
  let optimistic = ctx.store.kind === 'postgres' && !joined;
  const run = async (trx: Trx): Promise<{ value: T } | { refused: Refused }> => {
    const tx: Tx = {
      trx,
      kind: ctx.store.kind,
      nowMs: ctx.clock.nowMs(),
      config: ctx.config,
      optimistic,
      async operationRecorded(payment, operation) {
        for (const listener of ctx.operationListeners) await listener(tx, payment, operation);
      },
      async enqueue(row) {
        await enqueueOutbound(trx, row);
        enqueued = true;
      },
    };
    try {
      // Joined work already runs inside its outer transaction's scope.
      return { value: joined ? await work(tx) : await runAsTransactionWork(() => work(tx)) };
    } catch (error) {
      if (error instanceof Refused && error.recorded && !joined) return { refused: error };
      throw error;
    }
  };
  const outcome = joined
    ? await run(ctx.store.db as Trx)
    : await withRetries(
        () => ctx.store.transact(run),
        () => {
          optimistic = false;
        },
      );
  if (enqueued && !joined) ctx.onOutboundEnqueued();
  if ('refused' in outcome) throw outcome.refused;
  return outcome.value;
}

/** A conflict is retried as it was; a failed write guard once more, after `onWriteGuardFailed` turned optimism off. */
async function withRetries<T>(attempt: () => Promise<T>, onWriteGuardFailed: () => void): Promise<T> {
  let guardFailed = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!guardFailed && isWriteGuardFailure(error)) {
        guardFailed = true;
        onWriteGuardFailed();
      } else if (!isRetryableConflict(error) || n >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/** The same context, with every use case it is passed to running inside `trx` (all or nothing). */
export function withinTransaction(ctx: AppContext, trx: Trx): AppContext {
  return { ...ctx, store: { ...ctx.store, db: trx } };
}
