import { randomBytes } from 'node:crypto';
import { InvalidRequestError, Refused } from '../../domain/refusals.ts';
import type { Executor } from '../../store/db.ts';
import type { Tx } from '../context.ts';
import { findBank, findDefaultCard, insertBankIfAbsent, insertCard, listCards, type CardWithHoldDays, type UserWithDefaultCard } from '../../store/repos/banks.ts';
import { insertAddress, listAddresses } from '../../store/repos/addresses.ts';
import { findTestUser, insertTestUserIfAbsent } from '../../store/repos/users.ts';
import type { CardState, TestUserRow } from '../../store/schema.ts';
import { isNorwegianMobile } from '../../shared/phone-number.ts';

/** A Visa BIN, as in the ecomm v2 documentation's example. */
export const DEFAULT_CARD_BIN = 492560;
/** Funds of a card nobody specified: ample for any test (1,000,000 NOK). */
export const AMPLE_FUNDS_ORE = 100_000_000;
export const DEFAULT_BANK = { id: 'kassebanken', name: 'Kassebanken', hold_days: 7, force_through: 0, refund_arrival_bank_days: 2 };


export interface CardSpec {
  id?: string;
  label?: string;
  brand?: 'VISA' | 'MASTERCARD';
  bin?: number;
  last4?: string;
  /** Last valid month, YYYY-MM; default: never expires. */
  expiryMonth?: string;
  bankId?: string;
  availableOre?: number;
  maxAmountOre?: number | null;
  state?: CardState;
  isDefault?: boolean;
}

export interface AddressSpec {
  addressLine1: string;
  addressLine2?: string | null;
  city: string;
  postCode: string;
  addressType?: 'H' | 'W' | 'O';
  isDefault?: boolean;
}

/** The address a user gets when nobody specified one (Vipps' own, as in the documentation's examples). */
export const DEFAULT_ADDRESS: AddressSpec = { addressLine1: 'Dronning Eufemias gate 42', city: 'OSLO', postCode: '0191', addressType: 'H' };

export interface TestUserSpec {
  msisdn: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  bankIdVerified?: boolean;
  stepUpLimitOre?: number | null;
  appVersion?: string;
  canPayBusinesses?: boolean;
  birthDate?: string | null;
  nin?: string | null;
  /** Omitted: one valid card with ample funds. An empty list: a user with no card at all. */
  cards?: CardSpec[];
  /** Omitted: one home address. */
  addresses?: AddressSpec[];
}

/** Cards nobody gave an expiry never expire, however far tests move the sandbox clock. */
export const FAR_FUTURE_EXPIRY = '2099-12';

export async function ensureDefaultBank(db: Executor, nowMs: number): Promise<void> {
  await insertBankIfAbsent(db, { ...DEFAULT_BANK, created_at_ms: nowMs });
}

/** Create a test user and their cards (idempotent on the phone number: an existing user is kept as is). */
export async function insertTestUser(db: Executor, spec: TestUserSpec, nowMs: number): Promise<TestUserRow> {
  if (!/^\d{8}$/.test(spec.msisdn)) throw new InvalidRequestError('msisdn', 'A test user has an 8-digit Norwegian mobile number');
  await ensureDefaultBank(db, nowMs);
  const cards = spec.cards ?? [{}];
  for (const card of cards) {
    if (card.bankId !== undefined && !(await findBank(db, card.bankId))) {
      throw new InvalidRequestError('cards.bankId', `No bank with id '${card.bankId}'`);
    }
  }
  await insertTestUserIfAbsent(db, {
    msisdn: spec.msisdn,
    first_name: spec.firstName ?? 'Test',
    last_name: spec.lastName ?? `User ${spec.msisdn}`,
    email: spec.email ?? `user-${spec.msisdn}@example.com`,
    bankid_verified: spec.bankIdVerified === false ? 0 : 1,
    card_bin: cards[0]?.bin ?? DEFAULT_CARD_BIN,
    created_at_ms: nowMs,
    step_up_limit_ore: spec.stepUpLimitOre ?? null,
    app_version: spec.appVersion ?? '26.1.0',
    can_pay_businesses: spec.canPayBusinesses === false ? 0 : 1,
    user_id: randomBytes(16).toString('base64'),
    birth_date: spec.birthDate ?? '1990-01-01',
    nin: spec.nin ?? `010190${spec.msisdn.slice(-5)}`,
  });
  const existingCards = await listCards(db, spec.msisdn);
  if (existingCards.length === 0) {
    const defaultIndex = Math.max(0, cards.findIndex((c) => c.isDefault === true));
    for (const [index, card] of cards.entries()) {
      const bin = card.bin ?? (card.brand === 'MASTERCARD' ? 545454 : DEFAULT_CARD_BIN);
      await insertCard(db, {
        id: card.id ?? `card_${randomBytes(8).toString('hex')}`,
        msisdn: spec.msisdn,
        label: card.label ?? (card.brand === 'MASTERCARD' ? 'Mastercard' : 'Visa'),
        brand: card.brand ?? (String(bin).startsWith('5') ? 'MASTERCARD' : 'VISA'),
        bin,
        last4: card.last4 ?? spec.msisdn.slice(-4),
        expiry_month: card.expiryMonth ?? FAR_FUTURE_EXPIRY,
        bank_id: card.bankId ?? DEFAULT_BANK.id,
        available_ore: card.availableOre ?? AMPLE_FUNDS_ORE,
        max_amount_ore: card.maxAmountOre ?? null,
        state: card.state ?? 'active',
        is_default: index === defaultIndex ? 1 : 0,
        created_at_ms: nowMs + index,
      });
    }
  }
  if ((await listAddresses(db, spec.msisdn)).length === 0) {
    const addresses = spec.addresses ?? [DEFAULT_ADDRESS];
    const defaultIndex = Math.max(0, addresses.findIndex((a) => a.isDefault === true));
    for (const [index, address] of addresses.entries()) {
      await insertAddress(db, {
        msisdn: spec.msisdn,
        address_line1: address.addressLine1,
        address_line2: address.addressLine2 ?? null,
        city: address.city,
        post_code: address.postCode,
        country: 'NO',
        address_type: address.addressType ?? 'H',
        is_default: index === defaultIndex ? 1 : 0,
      });
    }
  }
  const user = await findTestUser(db, spec.msisdn);
  if (!user) throw new Error(`test user ${spec.msisdn} was not created`);
  return user;
}

/**
 * The Vipps user behind a phone number. In the sandbox, unknown Norwegian mobile numbers are provisioned on first use
 * as BankID-verified users with one valid card and ample funds; in production nobody is provisioned (users exist only
 * when the operator created them). Anything else is not a Vipps user (User 81).
 */
export async function resolveTestUser(tx: Pick<Tx, 'trx' | 'nowMs' | 'config'>, msisdn: string): Promise<TestUserRow> {
  return (await findTestUser(tx.trx, msisdn)) ?? provisionTestUser(tx, msisdn);
}

/**
 * resolveTestUser with the card the user pays with when they pick none (their default, else their oldest), for an
 * approval, which needs both: a known user as read with the payment costs no read of its own; a new one is provisioned.
 */
export async function resolveTestUserWithDefaultCard(
  tx: Pick<Tx, 'trx' | 'nowMs' | 'config'>,
  msisdn: string,
  /** The user as read with the payment they approve (lockPaymentAndFindUser); undefined: not a user yet. */
  known: UserWithDefaultCard | undefined,
): Promise<{ user: TestUserRow; defaultCard: CardWithHoldDays | undefined }> {
  if (known) return { user: known.user, defaultCard: known.card };
  const user = await provisionTestUser(tx, msisdn);
  return { user, defaultCard: await findDefaultCard(tx.trx, msisdn) };
}

function provisionTestUser(tx: Pick<Tx, 'trx' | 'nowMs' | 'config'>, msisdn: string): Promise<TestUserRow> {
  if (tx.config.mode !== 'sandbox' || !isNorwegianMobile(msisdn)) throw new Refused('not_a_vipps_user');
  return insertTestUser(tx.trx, { msisdn }, tx.nowMs);
}
