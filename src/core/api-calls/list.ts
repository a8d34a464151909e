import { listApiCalls, type ApiCallFilter } from '../../store/repos/api-calls.ts';
import type { ApiCallRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';

export type { ApiCallFilter };

/** One page of the recorded calls of some sales units, newest first, and the cursor of the next (older) page. */
export async function recordedCalls(ctx: AppContext, msns: readonly string[], filter: ApiCallFilter): Promise<{ calls: ApiCallRow[]; nextBeforeId: number | null }> {
  if (msns.length === 0) return { calls: [], nextBeforeId: null };
  const rows = await listApiCalls(ctx.store.db, msns, { ...filter, limit: filter.limit + 1 });
  const calls = rows.slice(0, filter.limit);
  return { calls, nextBeforeId: rows.length > filter.limit ? Number(calls.at(-1)!.id) : null };
}
