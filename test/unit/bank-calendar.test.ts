// Goal: Norwegian bank days are computed right. Method: known holidays and weekends of 2026–2027, and
// bank-day arithmetic across Easter and Christmas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addBankDays, easterSunday, isBankDay, osloDateOf, osloMidnightMs } from '../../src/domain/bank-calendar.ts';

test('Easter Sunday falls on the known dates', () => {
  assert.equal(easterSunday(2024), '2024-03-31');
  assert.equal(easterSunday(2025), '2025-04-20');
  assert.equal(easterSunday(2026), '2026-04-05');
  assert.equal(easterSunday(2027), '2027-03-28');
});

test('weekends, public holidays and the bank holidays are not bank days', () => {
  for (const date of [
    '2026-01-01', // Nyttårsdag
    '2026-04-02', // Skjærtorsdag
    '2026-04-03', // Langfredag
    '2026-04-06', // 2. påskedag
    '2026-05-01',
    '2026-05-14', // Kristi himmelfart
    '2026-05-25', // 2. pinsedag
    '2026-12-24', // Julaften (bank holiday)
    '2026-12-25',
    '2026-12-31', // Nyttårsaften (bank holiday)
    '2026-01-10', // Saturday
    '2026-01-11', // Sunday
  ]) {
    assert.equal(isBankDay(date), false, date);
  }
  for (const date of ['2026-01-05', '2026-04-01', '2026-04-07', '2026-05-18', '2026-12-23', '2026-12-30']) {
    assert.equal(isBankDay(date), true, date);
  }
});

test('adding bank days skips weekends and holidays', () => {
  assert.equal(addBankDays('2026-01-08', 2), '2026-01-12'); // Thursday + 2 → Monday
  assert.equal(addBankDays('2026-04-01', 1), '2026-04-07'); // over Easter
  assert.equal(addBankDays('2026-12-23', 2), '2026-12-29'); // over Christmas
  assert.equal(addBankDays('2026-12-30', 1), '2027-01-04'); // over New Year
  assert.equal(addBankDays('2026-01-05', 0), '2026-01-05');
});

test('Oslo dates and midnights follow CET and CEST', () => {
  assert.equal(osloDateOf(Date.parse('2026-01-05T23:30:00Z')), '2026-01-06'); // 00:30 CET
  assert.equal(osloDateOf(Date.parse('2026-07-01T22:30:00Z')), '2026-07-02'); // 00:30 CEST
  assert.equal(new Date(osloMidnightMs('2026-01-06')).toISOString(), '2026-01-05T23:00:00.000Z');
  assert.equal(new Date(osloMidnightMs('2026-07-02')).toISOString(), '2026-07-01T22:00:00.000Z');
});

test('the Oslo date of any instant, in any order of lookups, is what Intl formats for it (across CET/CEST changes)', () => {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });
  // Instants near the 2026 changes (29 March, 25 October) and midnights, and anywhere in 2000–2040.
  const near = (iso: string) => fc.integer({ min: -26 * 3_600_000, max: 26 * 3_600_000 }).map((offsetMs) => Date.parse(iso) + offsetMs);
  const instant = fc.oneof(near('2026-03-29T01:00:00Z'), near('2026-10-25T01:00:00Z'), near('2026-06-30T22:00:00Z'), fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2040-01-01') }));
  // Every ten minutes through the days of the 2026 changes, forwards and backwards (a 23-hour and a 25-hour day).
  for (const [fromIso, toIso] of [['2026-03-27T00:00:00Z', '2026-04-01T00:00:00Z'], ['2026-10-23T00:00:00Z', '2026-10-28T00:00:00Z']] as const) {
    const sweep: number[] = [];
    for (let epochMs = Date.parse(fromIso); epochMs < Date.parse(toIso); epochMs += 600_000) sweep.push(epochMs);
    for (const epochMs of [...sweep, ...sweep.reverse()]) assert.equal(osloDateOf(epochMs), format.format(new Date(epochMs)), new Date(epochMs).toISOString());
  }
  fc.assert(
    fc.property(fc.array(instant, { minLength: 1, maxLength: 40 }), (instants) => {
      for (const epochMs of instants) assert.equal(osloDateOf(epochMs), format.format(new Date(epochMs)), new Date(epochMs).toISOString());
    }),
    { numRuns: 300 },
  );
});

test('bank days equal those of the maintained date-holidays library (public and bank holidays of NO) over 1990–2100', async () => {
  // The library is a devDependency used only here: the domain stays pure, and this proves it right over 111 years.
  const { default: Holidays } = await import('date-holidays');
  const norway = new Holidays('NO');
  const libraryHolidays = new Set<string>();
  for (let year = 1990; year <= 2100; year++) {
    for (const holiday of norway.getHolidays(year)) {
      if (holiday.type === 'public' || holiday.type === 'bank') libraryHolidays.add(holiday.date.slice(0, 10));
    }
  }
  const mismatches: string[] = [];
  let bankDays = 0;
  for (let t = Date.parse('1990-01-01T12:00:00Z'); t <= Date.parse('2100-12-31T12:00:00Z'); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    const weekday = new Date(t).getUTCDay();
    const expected = weekday !== 0 && weekday !== 6 && !libraryHolidays.has(date);
    if (expected) bankDays++;
    if (isBankDay(date) !== expected) mismatches.push(`${date}: ours ${isBankDay(date)}, library ${expected}`);
  }
  assert.deepEqual(mismatches, []);
  assert.ok(bankDays > 27_000 && bankDays < 28_500, `about 250 bank days a year, got ${bankDays}`);
});
