import { assert, assertNever } from './assert.ts';
import type { Ore } from './money.ts';
import type { OperationKind } from './payment-states.ts';

/**
 * Double-entry postings, TigerBeetle style: a reservation is a pending transfer from the customer into
 * `reservations`; a capture posts part of it to the merchant; a void or release returns the rest;
 * a refund is a new transfer from the merchant back to the customer.
 *
 * Each line is signed (debit +, credit −). L1: the lines of every entry sum to 0, so all balances sum to 0.
 */
export type LedgerAccount =
  | 'customer_funds'
  | 'reservations'
  | 'merchant_payable'
  // The back office's accounts (settlements): what the platform keeps as fees, payouts on their way to the
  // merchant's bank, and the merchant's bank account itself.
  | 'fees'
  | 'settlement_in_transit'
  | 'merchant_bank';

export interface LedgerLine {
  account: LedgerAccount;
  amountOre: number;
}

function transfer(from: LedgerAccount, to: LedgerAccount, amountOre: Ore): LedgerLine[] {
  assert(Number.isSafeInteger(amountOre) && amountOre > 0, `a transfer moves a positive amount, got ${amountOre}`);
  return [
    { account: from, amountOre: -amountOre },
    { account: to, amountOre },
  ];
}

/** The ledger lines one operation writes; operations that move no money write none. */
export function postingsFor(kind: OperationKind, amountOre: Ore): LedgerLine[] {
  switch (kind) {
    case 'reserve':
      return transfer('customer_funds', 'reservations', amountOre);
    case 'capture':
      return transfer('reservations', 'merchant_payable', amountOre);
    case 'sale':
      // Direct capture: reserve and capture in one operation, both legs recorded.
      return [...transfer('customer_funds', 'reservations', amountOre), ...transfer('reservations', 'merchant_payable', amountOre)];
    case 'void':
    case 'release':
      return transfer('reservations', 'customer_funds', amountOre);
    case 'refund':
      return transfer('merchant_payable', 'customer_funds', amountOre);
    case 'initiate':
    case 'capture_failed':
    case 'reserve_failed':
    case 'sale_failed':
    case 'merchant_cancel':
    case 'user_cancel':
    case 'timeout':
      return [];
    default:
      return assertNever(kind, 'operation kind');
  }
}

export function isBalanced(lines: readonly LedgerLine[]): boolean {
  return lines.reduce((sum, line) => sum + line.amountOre, 0) === 0;
}
