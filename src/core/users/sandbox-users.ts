import { InvalidRequestError } from '../../domain/refusals.ts';
import { listAddresses } from '../../store/repos/addresses.ts';
import { findTestUser, listTestUserNumbers } from '../../store/repos/users.ts';
import { listBanks, listCards, upsertBank } from '../../store/repos/banks.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { NotFoundError } from '../merchants/sales-units.ts';
import { pinHashOf, storePin } from '../user-app/sign-in.ts';
import { ensureDefaultBank, insertTestUser, type TestUserSpec } from './test-users.ts';

export interface BankSpec {
  id: string;
  name: string;
  holdDays?: number;
  forceThrough?: boolean;
  refundArrivalBankDays?: number;
}

const BANK_ID = /^[a-z0-9-]{2,40}$/;

/** Create or change a simulated bank. */
export async function saveBank(ctx: AppContext, spec: BankSpec) {
  if (!BANK_ID.test(spec.id)) throw new InvalidRequestError('id', 'A bank id is 2–40 lower-case letters, digits or dashes');
  const row = {
    id: spec.id,
    name: spec.name,
    hold_days: spec.holdDays ?? 7,
    force_through: spec.forceThrough ? 1 : 0,
    refund_arrival_bank_days: spec.refundArrivalBankDays ?? 2,
    created_at_ms: ctx.clock.nowMs(),
  };
  await upsertBank(ctx.store.db, row);
  return row;
}

export async function banks(ctx: AppContext) {
  await ensureDefaultBank(ctx.store.db, ctx.clock.nowMs());
  return listBanks(ctx.store.db);
}

/**
 * Create a user with cards and, when given, the PIN they sign in to the app with (in production every user has one:
 * the operator creates them). An existing phone number is refused so that tests and operators notice collisions.
 */
export async function createUser(ctx: AppContext, spec: TestUserSpec, pin: string | null = null) {
  const pinHash = pin === null ? null : await pinHashOf(pin);
  return inTransaction(ctx, async ({ trx, nowMs }) => {
    if (await findTestUser(trx, spec.msisdn)) throw new InvalidRequestError('msisdn', `A test user with ${spec.msisdn} already exists`);
    await insertTestUser(trx, spec, nowMs);
    if (pinHash !== null) await storePin(trx, spec.msisdn, pinHash, nowMs);
    return userWithCards(ctx, spec.msisdn, trx);
  });
}

/** The operator sets a user's new PIN: failed attempts and lockout are cleared, and every session ends. */
export async function changePin(ctx: AppContext, msisdn: string, pin: string) {
  const pinHash = await pinHashOf(pin);
  return inTransaction(ctx, async ({ trx, nowMs }) => {
    if (!(await findTestUser(trx, msisdn))) throw new NotFoundError(`No user with ${msisdn}`);
    await storePin(trx, msisdn, pinHash, nowMs);
    return { msisdn, pinChanged: true };
  });
}

export async function userWithCards(ctx: AppContext, msisdn: string, db = ctx.store.db) {
  const user = await findTestUser(db, msisdn);
  if (!user) return null;
  const cards = await listCards(db, msisdn);
  return {
    msisdn: user.msisdn,
    firstName: user.first_name,
    lastName: user.last_name,
    email: user.email,
    bankIdVerified: user.bankid_verified === 1,
    stepUpLimitOre: user.step_up_limit_ore,
    appVersion: user.app_version,
    canPayBusinesses: user.can_pay_businesses === 1,
    userId: user.user_id,
    addresses: (await listAddresses(db, msisdn)).map((a) => ({
      id: a.id,
      addressLine1: a.address_line1,
      addressLine2: a.address_line2,
      postCode: a.post_code,
      city: a.city,
      country: a.country,
      addressType: a.address_type,
      isDefault: a.is_default === 1,
    })),
    cards: cards.map((card) => ({
      id: card.id,
      label: card.label,
      brand: card.brand,
      bin: card.bin,
      last4: card.last4,
      expiryMonth: card.expiry_month,
      bankId: card.bank_id,
      availableOre: card.available_ore,
      maxAmountOre: card.max_amount_ore,
      state: card.state,
      isDefault: card.is_default === 1,
    })),
  };
}

export async function listUsers(ctx: AppContext) {
  const numbers = await listTestUserNumbers(ctx.store.db, 500);
  return Promise.all(numbers.map((msisdn) => userWithCards(ctx, msisdn)));
}
