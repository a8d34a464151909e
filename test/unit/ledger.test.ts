// Goal: every operation's ledger entry balances and moves money between the right accounts, and NOK↔øre conversion is exact; method: literal tables over every kind and example inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AssertionError } from '../../src/domain/assert.ts';
import { isBalanced, postingsFor, type LedgerAccount, type LedgerLine } from '../../src/domain/ledger.ts';
import { MAX_AMOUNT_ORE, MIN_AMOUNT_ORE, assertOre, isAmountOre, nokToOre, oreToNok } from '../../src/domain/money.ts';
import { OPERATION_KINDS, type OperationKind } from '../../src/domain/payment-states.ts';

const line = (account: LedgerAccount, amountOre: number): LedgerLine => ({ account, amountOre });

/** The entry each kind writes for 2500 øre: debit +, credit −. */
const EXPECTED_POSTINGS: Record<OperationKind, LedgerLine[]> = {
  initiate: [],
  reserve: [line('customer_funds', -2_500), line('reservations', 2_500)],
  reserve_failed: [],
  sale: [
    line('customer_funds', -2_500),
    line('reservations', 2_500),
    line('reservations', -2_500),
    line('merchant_payable', 2_500),
  ],
  sale_failed: [],
  capture: [line('reservations', -2_500), line('merchant_payable', 2_500)],
  capture_failed: [],
  refund: [line('merchant_payable', -2_500), line('customer_funds', 2_500)],
  merchant_cancel: [],
  user_cancel: [],
  timeout: [],
  void: [line('reservations', -2_500), line('customer_funds', 2_500)],
  release: [line('reservations', -2_500), line('customer_funds', 2_500)],
};

function balances(lines: readonly LedgerLine[]): Record<string, number> {
  // Payment operations touch only these three accounts; the back office's accounts belong to settlements.
  const sums: Record<string, number> = { customer_funds: 0, reservations: 0, merchant_payable: 0 };
  for (const l of lines) sums[l.account] = (sums[l.account] ?? 0) + l.amountOre;
  return sums;
}

describe('postingsFor', () => {
  test('the table names every operation kind', () => {
    assert.deepEqual(Object.keys(EXPECTED_POSTINGS).sort(), [...OPERATION_KINDS].sort());
  });

  for (const kind of OPERATION_KINDS) {
    const expected = EXPECTED_POSTINGS[kind];
    const what = expected.length === 0 ? 'writes no lines' : `moves 2500 øre as ${expected.length} balanced lines`;
    test(`${kind} ${what}`, () => {
      const lines = postingsFor(kind, 2_500);
      assert.deepEqual(lines, expected);
      assert.ok(isBalanced(lines), `${kind} balances`);
      assert.equal(
        lines.reduce((sum, l) => sum + l.amountOre, 0),
        0,
      );
    });
  }

  test('reserve moves money from the customer into reservations', () => {
    assert.deepEqual(balances(postingsFor('reserve', 700)), { customer_funds: -700, reservations: 700, merchant_payable: 0 });
  });

  test('capture moves money from reservations to the merchant', () => {
    assert.deepEqual(balances(postingsFor('capture', 700)), { customer_funds: 0, reservations: -700, merchant_payable: 700 });
  });

  test('a sale nets out to a move from the customer straight to the merchant', () => {
    assert.deepEqual(balances(postingsFor('sale', 700)), { customer_funds: -700, reservations: 0, merchant_payable: 700 });
  });

  test('void and release return reserved money to the customer', () => {
    for (const kind of ['void', 'release'] as const) {
      assert.deepEqual(balances(postingsFor(kind, 700)), { customer_funds: 700, reservations: -700, merchant_payable: 0 });
    }
  });

  test('refund moves money from the merchant back to the customer', () => {
    assert.deepEqual(balances(postingsFor('refund', 700)), { customer_funds: 700, reservations: 0, merchant_payable: -700 });
  });

  test('a money-moving operation refuses a zero, negative or fractional amount with AssertionError', () => {
    for (const kind of ['reserve', 'sale', 'capture', 'refund', 'void', 'release'] as const) {
      for (const bad of [0, -100, 10.5, Number.NaN]) {
        assert.throws(() => postingsFor(kind, bad), AssertionError, `${kind} of ${bad}`);
      }
    }
  });

  test('a whole payment life leaves each account at its expected balance', () => {
    // reserve 10000, capture 4000, capture 1000, refund 1500, release 5000.
    const life: Array<[OperationKind, number]> = [
      ['initiate', 10_000],
      ['reserve', 10_000],
      ['capture', 4_000],
      ['capture', 1_000],
      ['refund', 1_500],
      ['release', 5_000],
    ];
    const lines = life.flatMap(([kind, amount]) => postingsFor(kind, amount));
    const [reserved, captured, refunded, released] = [10_000, 5_000, 1_500, 5_000];
    assert.deepEqual(balances(lines), {
      customer_funds: -reserved + released + refunded,
      reservations: reserved - captured - released,
      merchant_payable: captured - refunded,
    });
    assert.ok(isBalanced(lines));
  });
});

describe('isBalanced', () => {
  test('an empty entry balances', () => {
    assert.equal(isBalanced([]), true);
  });

  test('an entry whose lines do not sum to zero does not balance', () => {
    assert.equal(isBalanced([line('customer_funds', -100), line('reservations', 99)]), false);
    assert.equal(isBalanced([line('merchant_payable', 1)]), false);
  });
});

describe('money', () => {
  const NOK_TO_ORE: Array<[number | string, number | null]> = [
    ['99.00', 9_900],
    [99, 9_900],
    ['99,5', 9_950],
    ['99.5', 9_950],
    ['99,05', 9_905],
    ['0.01', 1],
    ['0', 0],
    [0, 0],
    [12.34, 1_234],
    [' 12.34 ', 1_234],
    ['99999999.99', 9_999_999_999],
    ['abc', null],
    ['', null],
    ['99.999', null],
    ['-5', null],
    [-5, null],
    ['1e3', null],
    ['99.', null],
    ['.5', null],
    ['1.234,5', null],
    ['123456789', null],
    ['NOK 99', null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [1e21, null],
  ];
  for (const [input, expected] of NOK_TO_ORE) {
    test(`nokToOre(${JSON.stringify(input) ?? String(input)}) is ${expected === null ? 'null (not an amount)' : `${expected} øre`}`, () => {
      assert.equal(nokToOre(input), expected);
    });
  }

  test('nokToOre rounds a number to whole øre before converting', () => {
    assert.equal(nokToOre(0.1 + 0.2), 30);
    assert.equal(nokToOre(19.999), 2_000);
  });

  test('oreToNok divides by 100', () => {
    assert.equal(oreToNok(9_950), 99.5);
    assert.equal(oreToNok(1), 0.01);
    assert.equal(oreToNok(0), 0);
  });

  test('isAmountOre accepts non-negative safe integers up to the 32-bit maximum', () => {
    assert.equal(isAmountOre(0), true);
    assert.equal(isAmountOre(MAX_AMOUNT_ORE), true);
    assert.equal(isAmountOre(MAX_AMOUNT_ORE + 1), false);
    assert.equal(isAmountOre(-1), false);
    assert.equal(isAmountOre(1.5), false);
    assert.equal(isAmountOre('100'), false);
    assert.equal(isAmountOre(null), false);
  });

  test('assertOre returns a valid amount and throws AssertionError otherwise', () => {
    assert.equal(assertOre(100, 'amount'), 100);
    assert.throws(() => assertOre(-1, 'amount'), AssertionError);
    assert.throws(() => assertOre(0.5, 'amount'), AssertionError);
  });

  test('the smallest accepted payment is 1 NOK (100 øre) and the largest is 2^31 − 1 øre', () => {
    assert.equal(MIN_AMOUNT_ORE, 100);
    assert.equal(MAX_AMOUNT_ORE, 2 ** 31 - 1);
  });
});
