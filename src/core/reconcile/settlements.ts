import { payoutOre } from '../../domain/settlement.ts';
import type { Store } from '../../store/db.ts';
import { allSettlements, backOfficeBalances, bookingSumsByDate, findMisbookedOperations } from '../../store/repos/reconcile.ts';

type Report = (invariant: string, subject: string, detail: string) => void;

/**
 * L6–L8 (docs/INVARIANTS.md): every capture and refund is booked once; settlements of a sales unit cover disjoint
 * ledger dates and pay exactly what their bookings owe; and the back office's accounts hold what the settlements say.
 */
export async function checkSettlements(store: Store, report: Report, limit: number): Promise<number> {
  const { db } = store;
  const { unbooked, orphans } = await findMisbookedOperations(db, limit);
  for (const row of unbooked) report('L6', `operation ${row.operationId}`, row.bookingId === null ? `${row.kind} has no settlement booking` : `${row.kind} differs from its booking ${row.bookingId}`);
  for (const row of orphans) report('L6', `settlement booking ${row.bookingId}`, 'books no capture, SALE or refund operation');

  const sums = await bookingSumsByDate(db);
  const settlements = await allSettlements(db);
  const expected = new Map<string, { payable: number; fees: number; inTransit: number; bank: number }>();
  const of = (msn: string) => {
    let balances = expected.get(msn);
    if (!balances) expected.set(msn, (balances = { payable: 0, fees: 0, inTransit: 0, bank: 0 }));
    return balances;
  };
  for (const row of sums) of(row.msn).payable += row.kind === 'capture' ? Number(row.amount) : -Number(row.amount);

  let previous: { msn: string; to: string } | null = null;
  for (const s of settlements) {
    const subject = `settlement ${s.id}`;
    if (previous && previous.msn === s.msn && s.ledger_date_from <= previous.to) report('L7', subject, `its ledger dates from ${s.ledger_date_from} overlap the previous settlement's, to ${previous.to}`);
    if (s.ledger_date_from > s.ledger_date_to) report('L7', subject, `ledger dates from ${s.ledger_date_from} after to ${s.ledger_date_to}`);
    previous = { msn: s.msn, to: s.ledger_date_to };
    const inRange = sums.filter((r) => r.msn === s.msn && r.ledger_date >= s.ledger_date_from && r.ledger_date <= s.ledger_date_to);
    const totals = {
      capturesOre: inRange.filter((r) => r.kind === 'capture').reduce((t, r) => t + Number(r.amount), 0),
      refundsOre: inRange.filter((r) => r.kind === 'refund').reduce((t, r) => t + Number(r.amount), 0),
      feesOre: inRange.reduce((t, r) => t + Number(r.fees), 0),
    };
    const recorded = { capturesOre: Number(s.captures_ore), refundsOre: Number(s.refunds_ore), feesOre: Number(s.fees_ore) };
    if (JSON.stringify(totals) !== JSON.stringify(recorded)) report('L7', subject, `records ${JSON.stringify(recorded)} but its bookings sum to ${JSON.stringify(totals)}`);
    const payout = payoutOre(recorded, s.settlement_type);
    if (Number(s.payout_ore) !== payout || payout <= 0) report('L7', subject, `pays ${s.payout_ore} øre, its figures give ${payout}`);
    const balances = of(s.msn);
    balances.payable -= recorded.capturesOre - recorded.refundsOre;
    if (s.settlement_type === 'net') balances.fees += recorded.feesOre;
    if (s.bank_booked === null) balances.inTransit += Number(s.payout_ore);
    else balances.bank += Number(s.payout_ore);
  }

  const actual = new Map<string, number>();
  for (const row of await backOfficeBalances(db)) {
    actual.set(`${row.msn}/${row.account}`, Number(row.total));
    of(row.msn);
  }
  for (const [msn, want] of expected) {
    for (const [account, amount] of [['merchant_payable', want.payable], ['fees', want.fees], ['settlement_in_transit', want.inTransit], ['merchant_bank', want.bank]] as const) {
      const have = actual.get(`${msn}/${account}`) ?? 0;
      if (have !== amount) report('L8', `sales unit ${msn}`, `${account} is ${have}, its bookings and settlements imply ${amount}`);
    }
  }
  return settlements.length;
}
