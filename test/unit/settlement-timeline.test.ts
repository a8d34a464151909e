// Goal: the settlement timeline's dates and fees are right. Method: known weeks of 2026 (a plain week, a weekend,
// Easter, Christmas) and fee rounding at the half øre.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureFeeOre, closeTimeMs, endsPayoutPeriod, osloInstantMs, payoutOre, payoutTimeline } from '../../src/domain/settlement.ts';

test('payout on the 2nd bank day after the ledger date at 16:00, booked two bank days later', () => {
  const cases: [string, string, string][] = [
    ['2026-03-02', '2026-03-04', '2026-03-06'], // Monday → Wednesday, booked Friday
    ['2026-03-06', '2026-03-10', '2026-03-12'], // Friday → Tuesday
    ['2026-03-07', '2026-03-10', '2026-03-12'], // Saturday → Tuesday
    ['2026-03-08', '2026-03-10', '2026-03-12'], // Sunday → Tuesday
    ['2026-04-01', '2026-04-08', '2026-04-10'], // Wednesday before Easter: Thu–Mon are holidays
    ['2026-04-02', '2026-04-08', '2026-04-10'], // Maundy Thursday
    ['2026-04-06', '2026-04-08', '2026-04-10'], // Easter Monday
    ['2026-12-23', '2026-12-29', '2027-01-04'], // 24–27 Dec not bank days; 31 Dec neither
  ];
  for (const [ledgerDate, payoutDate, bookedDate] of cases) {
    const timeline = payoutTimeline(ledgerDate);
    assert.equal(timeline.payoutDate, payoutDate, ledgerDate);
    assert.equal(timeline.bankBookedDate, bookedDate, ledgerDate);
  }
  assert.equal(new Date(payoutTimeline('2026-03-02').payoutAtMs).toISOString(), '2026-03-04T15:00:00.000Z'); // CET
  assert.equal(new Date(payoutTimeline('2026-06-01').payoutAtMs).toISOString(), '2026-06-03T14:00:00.000Z'); // CEST
});

test('a ledger date closes at 06:00 Oslo the next day, across the DST changes', () => {
  assert.equal(new Date(closeTimeMs('2026-03-28')).toISOString(), '2026-03-29T04:00:00.000Z'); // CEST starts 29 March
  assert.equal(new Date(closeTimeMs('2026-10-24')).toISOString(), '2026-10-25T05:00:00.000Z'); // CET again
  assert.equal(osloInstantMs('2026-01-15', 0), Date.parse('2026-01-14T23:00:00Z'));
});

test('payout periods end every day, on Sundays, or on the last day of the month', () => {
  assert.ok(endsPayoutPeriod('2026-03-03', 'daily'));
  assert.ok(endsPayoutPeriod('2026-03-08', 'weekly'));
  assert.ok(!endsPayoutPeriod('2026-03-09', 'weekly'));
  assert.ok(endsPayoutPeriod('2026-02-28', 'monthly'));
  assert.ok(!endsPayoutPeriod('2028-02-28', 'monthly')); // leap year
  assert.ok(endsPayoutPeriod('2028-02-29', 'monthly'));
});

test('fees: basis points rounded half up to the øre plus the fixed part; net pays them out of the payout', () => {
  assert.equal(captureFeeOre(10_000, 175, 100), 275);
  assert.equal(captureFeeOre(1_000, 5, 0), 1); // 0.5 øre rounds up
  assert.equal(captureFeeOre(999, 5, 0), 0); // 0.4995 rounds down
  const totals = { capturesOre: 10_000, refundsOre: 2_500, feesOre: 300 };
  assert.equal(payoutOre(totals, 'net'), 7_200);
  assert.equal(payoutOre(totals, 'gross'), 7_500);
});
