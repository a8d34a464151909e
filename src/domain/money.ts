import { assert } from './assert.ts';

/**
 * Money is integer øre everywhere inside Kasse. NOK decimals appear only at the edges where the
 * wire format demands them (shipping cost, settlement files), converted by the helpers below.
 */
export type Ore = number;

/** The real API stored amounts as 32-bit integers; larger amounts never reach a bank. */
export const MAX_AMOUNT_ORE = 2_147_483_647;
/** "Payment amounts must be in NOK, be non-zero and larger than 1 NOK" — 100 øre is accepted. */
export const MIN_AMOUNT_ORE = 100;

export function isAmountOre(value: unknown): value is Ore {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_AMOUNT_ORE;
}

export function assertOre(value: number, what: string): Ore {
  assert(Number.isSafeInteger(value) && value >= 0, `${what} must be a non-negative integer of øre, got ${value}`);
  return value;
}

/** NOK decimal (number or numeric string such as "99.00") → øre, or null when it is not a valid amount. */
export function nokToOre(value: number | string): Ore | null {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const match = /^(\d{1,8})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const [, kroner, fraction = ''] = match;
  return Number(kroner) * 100 + Number(fraction.padEnd(2, '0'));
}

export function oreToNok(amountOre: Ore): number {
  return amountOre / 100;
}
