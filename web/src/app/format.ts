/** How the app words things: amounts, dates, scopes, addresses, cards. */
import type { AddressView, CardView } from '../../../src/shared/view-models.ts';
import type { IconName } from './icons.ts';

export { formatNok as nok } from '../../../src/shared/money-text.ts';
export { clockText as mmss } from '../../../src/shared/countdown.ts';

const dateFormat = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const shortDateFormat = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
export const dateTime = (ms: number): string => dateFormat.format(new Date(ms));
export const shortDate = (ms: number): string => shortDateFormat.format(new Date(ms));

export function initial(name: string | null | undefined): string {
  return (String(name ?? '').trim()[0] ?? 'V').toUpperCase();
}

/** What a merchant can ask the user to share (the userinfo scopes): label, word in a sentence, icon. */
const SCOPES: Readonly<Record<string, readonly [string, string, IconName]>> = {
  name: ['Name', 'name', 'user'],
  email: ['Email', 'email', 'mail'],
  phoneNumber: ['Phone number', 'phone number', 'phone'],
  address: ['Address', 'address', 'pin'],
  birthDate: ['Date of birth', 'date of birth', 'cake'],
  nin: ['National identity number', 'national identity number', 'id'],
};
export const scopeLabel = (scope: string): string => SCOPES[scope]?.[0] ?? scope;
export const scopeWord = (scope: string): string => SCOPES[scope]?.[1] ?? scope;
export const scopeIcon = (scope: string): IconName => SCOPES[scope]?.[2] ?? 'check';

/** ['a', 'b', 'c'] → "a, b and c". */
export function andList(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const ADDRESS_TYPE: Readonly<Record<string, string>> = { H: 'Home', W: 'Work', O: 'Other' };
export const addressTypeText = (type: string): string => ADDRESS_TYPE[type] ?? 'Other';
export function addressLines(address: AddressView): string {
  return [address.addressLine1, address.addressLine2].filter(Boolean).join(', ');
}
export function addressText(address: AddressView): string {
  return `${addressLines(address)}, ${address.postCode} ${address.city}`;
}

const monthFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit' });
function osloMonth(ms: number): string {
  const parts = Object.fromEntries(monthFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}
export function expiryText(card: CardView): string {
  return `${card.expiryMonth.slice(5, 7)}/${card.expiryMonth.slice(2, 4)}`;
}
/** Why a card cannot pay, at `nowMs` (the server's clock: the sandbox may have moved it). */
export function cardProblem(card: CardView, nowMs: number): string | null {
  if (card.state === 'blocked') return 'Blocked';
  if (card.state === 'replaced') return 'Replaced';
  if (osloMonth(nowMs) > card.expiryMonth) return 'Expired';
  return null;
}
