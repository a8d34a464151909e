import { osloDateOf } from '../../domain/bank-calendar.ts';
import { ERRORS } from '../../channels/ecomm-v2/error-catalogue.ts';
import { REFUSAL_ERROR, REFUSAL_TEXT, TEST_AMOUNTS, UNKNOWN_RESULT_MS, isExpired, type MagicOutcome } from '../../domain/issuer.ts';
import { formatNok } from '../../shared/money-text.ts';
import { PHONE_RULE_TEXT, phoneText } from '../../shared/phone-number.ts';
import { renderPage } from '../web/templates.ts';

export interface SandboxCard {
  label: string;
  brand: string;
  last4: string;
  expiryMonth: string;
  bankId: string;
  availableOre: number;
  maxAmountOre: number | null;
  state: string;
  isDefault: boolean;
}

export interface SandboxUser {
  msisdn: string;
  firstName: string;
  lastName: string;
  bankIdVerified: boolean;
  stepUpLimitOre: number | null;
  appVersion: string;
  canPayBusinesses: boolean;
  cards: SandboxCard[];
}

export interface SandboxBank {
  id: string;
  name: string;
  hold_days: number;
  force_through: number;
  refund_arrival_bank_days: number;
}

export interface SandboxView {
  nowMs: number;
  users: SandboxUser[];
  /** Each user's app PIN as the sandbox shows it (null: none; absent: the user's own secret). */
  pins: ReadonlyMap<string, string | null>;
  /** What each seeded user demonstrates, by phone number. */
  shows: ReadonlyMap<string, string>;
  banks: SandboxBank[];
}

/** One card as the users table shows it: its line, what limits it, and its pills. */
function cardView(card: SandboxCard, today: string) {
  const pills: { tone: string; text: string }[] = [];
  if (card.isDefault) pills.push({ tone: 'muted', text: 'default' });
  if (card.state !== 'active') pills.push({ tone: 'bad', text: card.state });
  if (isExpired(card.expiryMonth, today)) pills.push({ tone: 'bad', text: 'expired' });
  const limits = [`${formatNok(card.availableOre)} available`];
  if (card.maxAmountOre !== null) limits.push(`max ${formatNok(card.maxAmountOre)} per purchase`);
  const expiry = `${card.expiryMonth.slice(5, 7)}/${card.expiryMonth.slice(2, 4)}`;
  return { line: `${card.label} •••• ${card.last4} · ${expiry} · ${card.bankId}`, pills, limits: limits.join(' · ') };
}

function userView(user: SandboxUser, shows: string | undefined, pin: string | null | undefined, today: string) {
  const facts: { text: string; pill: string | null }[] = [];
  facts.push(user.bankIdVerified ? { text: 'BankID verified', pill: null } : { text: 'not BankID verified', pill: 'warn' });
  if (user.stepUpLimitOre !== null) facts.push({ text: `BankID step-up above ${formatNok(user.stepUpLimitOre)}`, pill: null });
  facts.push({ text: `app ${user.appVersion}`, pill: null });
  if (!user.canPayBusinesses) facts.push({ text: 'cannot pay businesses', pill: 'bad' });
  return {
    msisdn: user.msisdn,
    appHref: `/_kasse/app?phone=${encodeURIComponent(user.msisdn)}`,
    phone: phoneText(user.msisdn),
    name: `${user.firstName} ${user.lastName}`,
    shows: shows ?? null,
    pin: pin === undefined ? 'set by its creator' : (pin ?? 'none: the number alone signs in (sandbox only)'),
    pinShown: typeof pin === 'string',
    cards: user.cards.map((c) => cardView(c, today)),
    facts,
  };
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function bankView(bank: SandboxBank) {
  return {
    name: bank.name,
    id: bank.id,
    holds: plural(bank.hold_days, 'day'),
    forceThrough: bank.force_through === 1,
    captureRule: `need the funds again; refused (Payment ${ERRORS.capture_failed.code}) when the card lacks them`,
    refunds: plural(bank.refund_arrival_bank_days, 'bank day'),
  };
}

function outcomeOf(outcome: MagicOutcome): { app: string; merchant: string } {
  if (outcome === 'unknown_result') {
    return {
      app: `The bank does not answer. The app says the answer is pending; after ${UNKNOWN_RESULT_MS / 3_600_000} hour the reservation fails.`,
      merchant: `/status REGISTER meanwhile, then RESERVE failed: Payment ${ERRORS.user_did_not_act.code}`,
    };
  }
  if (outcome === 'sca_required') {
    return {
      app: 'The bank asks for SCA / 3-D Secure. Approve it and the payment is reserved; force approve cannot, and fails.',
      merchant: `RESERVED after SCA in the app; force approve: Payment ${ERRORS[REFUSAL_ERROR.sca_required].code}`,
    };
  }
  const error = ERRORS[REFUSAL_ERROR[outcome]];
  return { app: REFUSAL_TEXT[outcome], merchant: `RESERVE failed: ${error.group} ${error.code} (${error.message})` };
}

/** GET /_kasse/sandbox: what a developer needs at hand while demoing or testing against the sandbox. */
export function sandboxPage(view: SandboxView): string {
  const today = osloDateOf(view.nowMs);
  const clock = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', dateStyle: 'full', timeStyle: 'short' }).format(view.nowMs);
  const users = [...view.users].sort((a, b) => Number(!view.shows.has(a.msisdn)) - Number(!view.shows.has(b.msisdn)) || a.msisdn.localeCompare(b.msisdn));
  return renderPage('sandbox', {
    clock,
    phoneRule: PHONE_RULE_TEXT,
    users: users.map((u) => userView(u, view.shows.get(u.msisdn), view.pins.get(u.msisdn), today)),
    banks: view.banks.map(bankView),
    amounts: [...TEST_AMOUNTS].map(([ore, outcome]) => ({ amount: formatNok(ore), outcome, ...outcomeOf(outcome) })),
  });
}
