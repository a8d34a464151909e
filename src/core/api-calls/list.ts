import { listApiCalls, type ApiCallFilter } from '../../store/repos/api-calls.ts';
import type { ApiCallRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';

export type { ApiCallFilter };

/** One page of a sales unit's recorded calls, newest first, and the cursor of the next (older) page. */
export async function recordedCalls(ctx: AppContext, msn: string, filter: ApiCallFilter): Promise<{ calls: ApiCallRow[]; nextBeforeId: number | null }> {
  const rows = await listApiCalls(ctx.store.db, msn, { ...filter, limit: filter.limit + 1 });
  const calls = rows.slice(0, filter.limit);
  return { calls, nextBeforeId: rows.length > filter.limit ? Number(calls.at(-1)!.id) : null };
}
