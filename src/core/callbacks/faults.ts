import { InvalidRequestError } from '../../domain/refusals.ts';
import { deleteFaultRules, insertFaultRule, listFaultRules, takeFaultRule } from '../../store/repos/faults.ts';
import { findSalesUnit } from '../../store/repos/merchants.ts';
import type { FaultKind } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';

/**
 * Sandbox fault rules, so merchants can test what the real test environment cannot produce on demand:
 * drop or delay the next N payment callbacks of a sales unit, or make its next N shipping-details calls slow.
 */
export async function addFaultRule(ctx: AppContext, args: { msn: string; kind: FaultKind; count: number; delayMs: number }) {
  if (!(await findSalesUnit(ctx.store.db, args.msn))) throw new InvalidRequestError('merchantSerialNumber', `No sales unit ${args.msn}`);
  return insertFaultRule(ctx.store.db, {
    msn: args.msn,
    kind: args.kind,
    remaining: args.count,
    delay_ms: args.delayMs,
    created_at_ms: ctx.clock.nowMs(),
  });
}

export function faultRules(ctx: AppContext, msn?: string) {
  return listFaultRules(ctx.store.db, msn);
}

export function clearFaultRules(ctx: AppContext, msn: string) {
  return deleteFaultRules(ctx.store.db, msn);
}

/** Consume one application of a rule, if the sales unit has a live one of this kind. */
export function takeFault(ctx: AppContext, msn: string, kind: FaultKind) {
  return takeFaultRule(ctx.store.db, msn, kind);
}
