import type { RefusalReason } from './refusals.ts';
import { HOUR_MS } from './clock.ts';
import type { Ore } from './money.ts';

/**
 * The issuing bank's decision on a reservation request, and the Vipps test amounts that force an outcome for
 * any user. Pure: the caller supplies the card as it is now, the user's limits and what the user has already
 * passed in this payment (BankID step-up, SCA).
 */
export type IssuerRefusal =
  | 'no_valid_card'
  | 'invalid_card'
  | 'expired_card'
  | 'replaced_card'
  | 'blocked_card'
  | 'insufficient_funds'
  | 'refused_by_issuer'
  | 'invalid_amount'
  | 'suspected_fraud'
  | 'withdrawal_limit'
  | 'three_ds_denied'
  | 'sca_required';

export type CardState = 'active' | 'replaced' | 'blocked';

export interface CardFacts {
  state: CardState;
  /** Last month the card is valid, `YYYY-MM`. */
  expiryMonth: string;
  availableOre: Ore;
  /** The issuer's largest single purchase; null when it has none. */
  maxAmountOre: Ore | null;
}

export type ReservationDecision =
  | { outcome: 'approve' }
  | { outcome: 'refuse'; refusal: IssuerRefusal }
  /** The user must prove who they are (BankID, or the issuer's SCA/3-D Secure) before the issuer answers. */
  | { outcome: 'challenge'; challenge: 'bankid' | 'sca' }
  /** The issuer does not answer; the result is unknown until `untilMs`, then the reservation fails. */
  | { outcome: 'unknown'; untilMs: number };

export type MagicOutcome = IssuerRefusal | 'unknown_result';

/** Amounts (in øre) that trigger the same outcome for any user: NOK 1.51, 1.82, … as in the Vipps test environment. */
export const TEST_AMOUNTS: ReadonlyMap<Ore, MagicOutcome> = new Map<Ore, MagicOutcome>([
  [151, 'insufficient_funds'],
  [182, 'refused_by_issuer'],
  [183, 'suspected_fraud'],
  [184, 'withdrawal_limit'],
  [186, 'expired_card'],
  [187, 'invalid_card'],
  [197, 'three_ds_denied'],
  [201, 'unknown_result'],
  [202, 'sca_required'],
]);

export const UNKNOWN_RESULT_MS = HOUR_MS;

/** The Payment error each refusal reports to the merchant (force approve answer, callback errorInfo). */
export const REFUSAL_ERROR: Record<IssuerRefusal, RefusalReason> = {
  no_valid_card: 'no_valid_card',
  invalid_card: 'no_valid_card',
  expired_card: 'expired_card',
  replaced_card: 'refused_by_issuer',
  blocked_card: 'refused_by_issuer',
  insufficient_funds: 'refused_by_issuer',
  refused_by_issuer: 'refused_by_issuer',
  invalid_amount: 'invalid_amount_at_issuer',
  suspected_fraud: 'refused_by_issuer',
  withdrawal_limit: 'refused_by_issuer',
  three_ds_denied: 'refused_by_issuer',
  sca_required: 'refused_by_issuer',
};

/** What the user sees in the app when the issuer refuses. */
export const REFUSAL_TEXT: Record<IssuerRefusal, string> = {
  no_valid_card: 'You have no valid card in Vipps.',
  invalid_card: 'The card is not valid.',
  expired_card: 'The card has expired.',
  replaced_card: 'The card has been replaced by a new card.',
  blocked_card: 'The card is blocked.',
  insufficient_funds: 'Insufficient funds.',
  refused_by_issuer: 'The payment was refused by your bank.',
  invalid_amount: 'Your bank refused the amount.',
  suspected_fraud: 'Your bank suspects fraud and refused the payment.',
  withdrawal_limit: 'The withdrawal limit of the card is exceeded.',
  three_ds_denied: '3-D Secure verification was denied.',
  sca_required: 'Your bank requires strong customer authentication.',
};

/** A card is expired after the last day of its expiry month (Oslo date `today`, `YYYY-MM-DD`). */
export function isExpired(expiryMonth: string, today: string): boolean {
  return today.slice(0, 7) > expiryMonth;
}

export interface ReservationRequest {
  amountOre: Ore;
  card: CardFacts | null;
  /** Oslo date of the request, `YYYY-MM-DD`. */
  today: string;
  nowMs: number;
  /** The user's limit before BankID step-up is required; null when there is none. */
  stepUpLimitOre: Ore | null;
  passedBankId: boolean;
  passedSca: boolean;
  /** Force approve has no person to pass a challenge: challenges fail there. */
  interactive: boolean;
}

function challengeOrRefuse(request: ReservationRequest, challenge: 'bankid' | 'sca'): ReservationDecision {
  if (request.interactive) return { outcome: 'challenge', challenge };
  return challenge === 'sca' ? { outcome: 'refuse', refusal: 'sca_required' } : { outcome: 'challenge', challenge };
}

export function decideReservation(request: ReservationRequest): ReservationDecision {
  const magic = TEST_AMOUNTS.get(request.amountOre);
  if (magic === 'unknown_result') return { outcome: 'unknown', untilMs: request.nowMs + UNKNOWN_RESULT_MS };
  if (magic === 'sca_required' && !request.passedSca) return challengeOrRefuse(request, 'sca');
  if (magic !== undefined && magic !== 'sca_required') return { outcome: 'refuse', refusal: magic };

  const { card } = request;
  if (card === null) return { outcome: 'refuse', refusal: 'no_valid_card' };
  if (card.state === 'blocked') return { outcome: 'refuse', refusal: 'blocked_card' };
  if (card.state === 'replaced') return { outcome: 'refuse', refusal: 'replaced_card' };
  if (isExpired(card.expiryMonth, request.today)) return { outcome: 'refuse', refusal: 'expired_card' };
  if (card.maxAmountOre !== null && request.amountOre > card.maxAmountOre) return { outcome: 'refuse', refusal: 'invalid_amount' };
  if (request.stepUpLimitOre !== null && request.amountOre > request.stepUpLimitOre && !request.passedBankId) {
    return challengeOrRefuse(request, 'bankid');
  }
  if (card.availableOre < request.amountOre) return { outcome: 'refuse', refusal: 'insufficient_funds' };
  return { outcome: 'approve' };
}
