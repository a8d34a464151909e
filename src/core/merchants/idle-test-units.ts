import { DAY_MS } from '../../domain/clock.ts';
import { deactivateIdleTestUnits } from '../../store/repos/merchants.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';
import { kasseActor, recordAudit } from '../operators/audit.ts';
import { inTransaction } from '../transaction.ts';

const IDLE_RULE = kasseActor('idle rule');

/**
 * Test sales units nobody uses are deactivated (ecomm answers Merchant 37 until an operator reactivates them).
 *
 * Which units: those flagged as test units (`test_unit`: sandbox merchants, and units an operator creates with
 * `testUnit`), and only in production mode. Which clock: the injected one, which in production mode is the wall
 * clock: nothing travels there. In sandbox mode the rule never runs: the sandbox clock travels (a test moves it
 * 181 days to see capture refused with Payment 98) and every sandbox merchant is a test unit, so measuring idleness
 * there would deactivate the very merchant a time-travelling test is using.
 *
 * Unused: no payment initiated for `idleTestUnitDays` days, counted from the later of the last payment and the
 * unit's creation or last reactivation. One transaction: the guarded UPDATE and an audit entry per unit.
 */
export async function deactivateIdleTestSalesUnits(ctx: AppContext): Promise<number> {
  const days = ctx.config.idleTestUnitDays;
  if (ctx.config.mode !== 'production' || days === 0) return 0;
  const deactivated = await inTransaction(ctx, async (tx) => {
    const units = await deactivateIdleTestUnits(tx.trx, { cutoffMs: tx.nowMs - days * DAY_MS, nowMs: tx.nowMs });
    for (const unit of units) {
      await recordAudit(tx, IDLE_RULE, 'sales-unit.deactivate', unit.msn, { status: 'active' }, { status: unit.status, idle_days: days });
    }
    return units.length;
  });
  // Committed: this node refuses the deactivated units from its next request on.
  if (deactivated > 0) forgetCachedKeys(ctx);
  return deactivated;
}
