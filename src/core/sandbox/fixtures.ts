import { osloDateOf } from '../../domain/bank-calendar.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { DEFAULT_BANK, ensureDefaultBank, insertTestUser, type TestUserSpec } from '../users/test-users.ts';
import { insertBankIfAbsent } from '../../store/repos/banks.ts';
import { findPin, listPinHashes, savePin } from '../../store/repos/app-sign-in.ts';
import { pinHashOf } from '../user-app/sign-in.ts';

/** Banks every sandbox has: different hold periods, and one that forces captures through. */
export const SEEDED_BANKS = [
  DEFAULT_BANK,
  { id: 'dnb', name: 'DNB', hold_days: 7, force_through: 0, refund_arrival_bank_days: 2 },
  { id: 'nordea', name: 'Nordea', hold_days: 5, force_through: 0, refund_arrival_bank_days: 3 },
  { id: 'sparebank1', name: 'SpareBank 1', hold_days: 30, force_through: 0, refund_arrival_bank_days: 2 },
  { id: 'tvangsbanken', name: 'Tvangsbanken (forces captures through)', hold_days: 7, force_through: 1, refund_arrival_bank_days: 1 },
] as const;

function monthsFrom(nowMs: number, months: number): string {
  const today = osloDateOf(nowMs);
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Seeded users, one per failure mode, listed on the sandbox page and in the README. */
export function seededUsers(nowMs: number): Array<TestUserSpec & { shows: string }> {
  return [
    { msisdn: '48000001', firstName: 'Ola', lastName: 'Nordmann', shows: 'a happy path: valid Visa, ample funds', cards: [{ bankId: 'dnb' }, { brand: 'MASTERCARD', bankId: 'nordea', last4: '5100' }] },
    { msisdn: '48000002', firstName: 'Kari', lastName: 'Blakk', shows: 'insufficient funds (42): NOK 100 on the card', cards: [{ bankId: 'dnb', availableOre: 10_000 }] },
    { msisdn: '48000003', firstName: 'Per', lastName: 'Utløpt', shows: 'expired card (44)', cards: [{ bankId: 'nordea', expiryMonth: monthsFrom(nowMs, -2) }] },
    {
      msisdn: '48000004',
      firstName: 'Eva',
      lastName: 'Erstattet',
      shows: 'replaced card (42) as default; the new card works',
      cards: [
        { label: 'Old Visa', bankId: 'dnb', state: 'replaced', isDefault: true, last4: '1111' },
        { label: 'New Visa', bankId: 'dnb', last4: '2222' },
      ],
    },
    { msisdn: '48000005', firstName: 'Siri', lastName: 'Sperret', shows: 'blocked card, refused by the issuer (42)', cards: [{ bankId: 'sparebank1', state: 'blocked' }] },
    { msisdn: '48000006', firstName: 'Nils', lastName: 'Utenkort', shows: 'no valid card (41)', cards: [] },
    { msisdn: '48000007', firstName: 'Bjørn', lastName: 'Grense', shows: 'BankID step-up above NOK 1,000', stepUpLimitOre: 100_000, cards: [{ bankId: 'dnb' }] },
    { msisdn: '48000008', firstName: 'Ida', lastName: 'UtenBankID', shows: 'not BankID verified: force approve answers 1082', bankIdVerified: false, cards: [{ bankId: 'dnb' }] },
    { msisdn: '48000009', firstName: 'Gunnar', lastName: 'Gammel', shows: 'app version too old (User 82)', appVersion: '1.0.0', cards: [{ bankId: 'dnb' }] },
    { msisdn: '48000010', firstName: 'Lise', lastName: 'Ung', shows: 'cannot pay businesses (User 81)', canPayBusinesses: false, cards: [{ bankId: 'dnb' }] },
    { msisdn: '48000011', firstName: 'Tor', lastName: 'Tvang', shows: 'NOK 500 at a force-through bank: late captures go negative', cards: [{ bankId: 'tvangsbanken', availableOre: 50_000 }] },
    { msisdn: '48000012', firstName: 'Anne', lastName: 'Kortgrense', shows: 'invalid amount (43) above NOK 500 per purchase', cards: [{ bankId: 'dnb', maxAmountOre: 50_000 }] },
  ];
}

/**
 * The app PIN of every seeded user, shown on the sandbox page and in the README. It is public, so one hash (one salt)
 * serves them all and a start costs one scrypt, not twelve.
 */
export const SEEDED_USER_PIN = '12345';
let seededPinHash: Promise<string> | null = null;

/** Idempotent: a sandbox (and a sandbox after reset) always has these banks and users, with their PIN. */
export async function seedSandboxFixtures(ctx: AppContext): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  seededPinHash ??= pinHashOf(SEEDED_USER_PIN);
  const pinHash = await seededPinHash;
  await inTransaction(ctx, async ({ trx }) => {
    await ensureDefaultBank(trx, nowMs);
    for (const bank of SEEDED_BANKS) await insertBankIfAbsent(trx, { ...bank, created_at_ms: nowMs });
    for (const { shows: _shows, ...user } of seededUsers(nowMs)) {
      await insertTestUser(trx, user, nowMs);
      // A PIN someone changed since stays as it is.
      if (!(await findPin(trx, user.msisdn))) await savePin(trx, user.msisdn, pinHash, nowMs);
    }
  });
}

/**
 * What the sandbox shows as each user's app PIN: the seeded PIN where the user still has it, null where the user has
 * no PIN (signs in with the number alone, sandbox only), absent where the PIN is someone's own secret.
 */
export async function shownPins(ctx: AppContext, msisdns: readonly string[]): Promise<Map<string, string | null>> {
  const stored = new Map((await listPinHashes(ctx.store.db, msisdns)).map((row) => [row.msisdn, row.pin_hash]));
  const seeded = seededPinHash ? await seededPinHash : null;
  const shown = new Map<string, string | null>();
  for (const msisdn of msisdns) {
    const hash = stored.get(msisdn);
    if (hash === undefined) shown.set(msisdn, null);
    else if (hash === seeded) shown.set(msisdn, SEEDED_USER_PIN);
  }
  return shown;
}
