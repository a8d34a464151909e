/** Cards and payment states as the app shows them in lists. */
import type { CardView, PaymentRequestView } from '../../../src/shared/view-models.ts';
import { h } from '../lib/dom.ts';
import { cardProblem, expiryText } from './format.ts';
import { now } from './shell.ts';

export const STATE_LABEL: Readonly<Record<string, readonly [string, string]>> = {
  initiated: ['Pending', 'warn'],
  reserved: ['Reserved', 'ok'],
  captured: ['Paid', 'ok'],
  cancelled: ['Cancelled', 'muted'],
  rejected: ['Expired', 'muted'],
  failed: ['Failed', 'bad'],
  voided: ['Cancelled by the shop', 'muted'],
};

export function stateBadge(view: PaymentRequestView) {
  const [label, tone] = STATE_LABEL[view.state] ?? [view.state, 'muted'];
  return h('span', { class: 'badge ' + tone, testid: 'state' }, label);
}

function brandMark(brand: string) {
  return brand === 'MASTERCARD'
    ? h('span', { class: 'brand-mark mc', title: 'Mastercard' }, h('i', null), h('i', null))
    : h('span', { class: 'brand-mark visa', title: 'Visa' }, 'VISA');
}

export function cardRow(card: CardView, extra?: Node | null) {
  const problem = cardProblem(card, now());
  return h('div', { class: 'row card-row' + (problem ? ' card-problem' : '') },
    brandMark(card.brand),
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, card.label, card.isDefault ? h('span', { class: 'badge soft' }, 'Default') : null),
      h('span', { class: 'row-sub' }, '•••• ' + card.last4 + '  ·  ' + expiryText(card) + '  ·  ' + card.bankId)),
    problem ? h('span', { class: 'badge bad', testid: 'card-problem' }, problem) : null,
    extra ?? null);
}

/** What the payment is for the user: express adds shipping to what is reserved. */
export function paidOre(view: PaymentRequestView): number {
  return Math.max(view.amountOre, view.reservedOre || 0);
}

