import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import type { BoundQuery } from '../prepared.ts';
import type { FaultKind, FaultRuleRow } from '../schema.ts';

export async function insertFaultRule(db: Executor, row: { msn: string; kind: FaultKind; remaining: number; delay_ms: number; created_at_ms: number }) {
  return db.insertInto('fault_rule').values(row).returningAll().executeTakeFirstOrThrow();
}

const liveRules = (db: Executor) => db.selectFrom('fault_rule').selectAll().where('remaining', '>', 0);

export async function listFaultRules(db: Executor, msn?: string) {
  let query = liveRules(db);
  if (msn !== undefined) query = query.where('msn', '=', msn);
  return query.orderBy('id').execute();
}

/** Every live rule, not read yet: to go `together` with the outbox claim (jobs/outbound-dispatcher.ts). */
export function liveFaultRules(db: Executor): BoundQuery<FaultRuleRow> {
  return { compiled: liveRules(db).orderBy('id').compile() };
}

export async function deleteFaultRules(db: Executor, msn: string): Promise<number> {
  const result = await db.deleteFrom('fault_rule').where('msn', '=', msn).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Use up one application of the oldest live rule of this kind for the sales unit. The guarded decrement makes
 * "the next N" exact even when several workers race for it.
 */
export async function takeFaultRule(db: Executor, msn: string, kind: FaultKind): Promise<{ delayMs: number } | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const rule = await db
      .selectFrom('fault_rule')
      .select(['id', 'delay_ms'])
      .where('msn', '=', msn)
      .where('kind', '=', kind)
      .where('remaining', '>', 0)
      .orderBy('id')
      .executeTakeFirst();
    if (!rule) return null;
    const taken = await db
      .updateTable('fault_rule')
      .set({ remaining: sql`remaining - 1` })
      .where('id', '=', rule.id)
      .where('remaining', '>', 0)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { delayMs: rule.delay_ms };
  }
  return null;
}
