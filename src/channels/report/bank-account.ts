import type { AppContext } from '../../core/context.ts';
import { settlementsOf } from '../../core/settlements/reports.ts';
import { osloTimestamp, sandboxBankAccountOf } from './presenters.ts';

/** The sales unit's simulated settlement account: each payout arrives on day 3 (16:00) and is booked on day 5. */
export async function bankAccountOf(ctx: AppContext, msn: string) {
  const arrived = (await settlementsOf(ctx, msn)).filter((s) => s.status !== 'scheduled').reverse();
  return {
    account: { scheme: 'BBAN:NO', id: sandboxBankAccountOf(msn) },
    bookedBalance: arrived.filter((s) => s.status === 'booked').reduce((sum, s) => sum + s.payoutOre, 0),
    transfers: arrived.map((s) => ({
      settlementId: String(s.id),
      amount: s.payoutOre,
      arrivedAt: osloTimestamp(s.payoutAtMs),
      bookedAt: s.status === 'booked' ? osloTimestamp(s.bankBookedAtMs) : null,
      reference: `Vipps ${msn} ${s.id}`,
      status: s.status,
    })),
  };
}
