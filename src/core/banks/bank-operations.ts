import { addBankDays, osloDateOf, osloMidnightMs } from '../../domain/bank-calendar.ts';
import { DAY_MS } from '../../domain/clock.ts';
import {
  applyDueCardCredits,
  captureAssumingHoldPays,
  captureFromLiveHold,
  debitCard,
  debitCardAssumingFunds,
  endHold,
  findBankOfCard,
  findDueHolds,
  findHoldForPayment,
  insertCardCredit,
  insertHold,
  scheduleHoldSettlement,
  type CardWithHoldDays,
} from '../../store/repos/banks.ts';
import type { AppContext } from '../context.ts';
import { rememberedCardBank } from './card-bank-in-tx.ts';
import type { BankStep, OperationDecision } from '../payments/record-operation.ts';
import { inTransaction } from '../transaction.ts';

/** Banks settle a capture after this many bank days and then release what a partial capture left held. */
export const CAPTURE_SETTLEMENT_BANK_DAYS = 2;

function bankDayStartMs(nowMs: number, bankDays: number): number {
  return osloMidnightMs(addBankDays(osloDateOf(nowMs), bankDays));
}

/**
 * Approval the issuer agreed to: hold the amount on the card for the bank's hold period (a SALE charges it at
 * once). The debit is guarded, so two payments racing for the last krone cannot both get it.
 */
export function holdFunds(card: CardWithHoldDays): BankStep {
  return async ({ trx, nowMs, optimistic }, payment, decision) => {
    if (card.bank_hold_days === null) return failedApproval(decision, 'no_valid_card');
    if (optimistic) await debitCardAssumingFunds(trx, card.id, decision.amountOre);
    else if (!(await debitCard(trx, card.id, decision.amountOre, false))) return failedApproval(decision, 'refused_by_issuer');
    const sale = decision.kind === 'sale';
    await insertHold(trx, {
      card_id: card.id,
      payment_id: payment.id,
      msn: payment.msn,
      amount_ore: decision.amountOre,
      captured_ore: sale ? decision.amountOre : 0,
      status: sale ? 'settled' : 'held',
      lapses_at_ms: nowMs + card.bank_hold_days * DAY_MS,
      nowMs,
    });
    return decision;
  };
}

export function failedApproval(decision: OperationDecision, errorKey: OperationDecision['errorKey']): OperationDecision {
  return { kind: decision.kind === 'sale' ? 'sale_failed' : 'reserve_failed', amountOre: decision.amountOre, ...(errorKey ? { errorKey } : {}) };
}

/**
 * Capture: from the live hold when there is one; after the hold lapsed (or a partial capture was settled and
 * the rest released) it is a new request to the bank, which needs the funds again — unless the bank forces it
 * through. A refused capture is written as a failed CAPTURE and answered with Payment 63.
 */
export const captureFunds: BankStep = async ({ trx, nowMs, optimistic }, payment, decision) => {
  if (payment.card_id === null) return decision;
  const settlesAtMs = () => bankDayStartMs(nowMs, CAPTURE_SETTLEMENT_BANK_DAYS);
  if (optimistic) {
    await captureAssumingHoldPays(trx, { paymentId: payment.id, amountOre: decision.amountOre, nowMs, settlesAtMs: settlesAtMs() });
    return decision;
  }
  const captured = await captureFromLiveHold(trx, payment.id, decision.amountOre, nowMs);
  if (captured) {
    // A partial capture: the bank settles it in two bank days and then releases the rest of the hold.
    if (!captured.settled) await scheduleHoldSettlement(trx, captured.holdId, settlesAtMs(), nowMs);
    return decision;
  }
  // The hold could not pay: a hold past its lapse time lapses now (its money back on the card) before the bank is asked.
  const hold = await findHoldForPayment(trx, payment.id);
  if (hold && hold.status === 'held' && hold.lapses_at_ms <= nowMs) await endHold(trx, hold, 'lapsed', nowMs);
  const bank = await findBankOfCard(trx, payment.card_id);
  if (bank && (await debitCard(trx, payment.card_id, decision.amountOre, bank.force_through === 1))) return decision;
  return { kind: 'capture_failed', amountOre: decision.amountOre, errorKey: 'capture_failed' };
};

/** Cancel, void or release: what the bank still holds goes back to the card at once. */
export const releaseFunds: BankStep = async ({ trx, nowMs }, payment, decision) => {
  const hold = await findHoldForPayment(trx, payment.id);
  if (hold && hold.status === 'held') await endHold(trx, hold, 'released', nowMs);
  return decision;
};

/** A refund reaches the card after the bank's refund delay, in bank days. */
export const refundFunds: BankStep = async (tx, payment, decision) => {
  const { trx, nowMs } = tx;
  if (payment.card_id === null) return decision;
  // Read with the payment's locked read when the refund came with an X-Request-Id (refund.ts), else here.
  const bank = (rememberedCardBank(tx, payment.id) ?? { bank: await findBankOfCard(trx, payment.card_id) }).bank;
  await insertCardCredit(trx, {
    card_id: payment.card_id,
    payment_id: payment.id,
    msn: payment.msn,
    amount_ore: decision.amountOre,
    due_at_ms: bankDayStartMs(nowMs, bank?.refund_arrival_bank_days ?? 2),
    created_at_ms: nowMs,
  });
  return decision;
};

/** Background bank work that fell due: holds lapse, partial captures settle, refunds arrive. */
export async function processDueBankWork(ctx: AppContext): Promise<number> {
  return inTransaction(ctx, async ({ trx, nowMs }) => {
    let done = 0;
    for (const hold of await findDueHolds(trx, nowMs, 500)) {
      const status = hold.settles_at_ms !== null && hold.settles_at_ms <= nowMs ? 'settled' : 'lapsed';
      if (await endHold(trx, hold, status, nowMs)) done++;
    }
    return done + (await applyDueCardCredits(trx, nowMs));
  });
}

