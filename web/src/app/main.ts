/**
 * The simulated Vipps app (served at /_kasse/app): sign in → home (pending requests, cards, companies that remember
 * you, activity) → a payment request (pay.ts) → back to the merchant's fallBack. Data from the API reaches the page
 * as text only (the `h` helper), never as HTML.
 */
import { normalizePhoneNumber, phoneText } from '../../../src/shared/phone-number.ts';
import { countdownTone } from '../../../src/shared/countdown.ts';
import type { AppHomeView, ConsentView, PaymentRequestView } from '../../../src/shared/view-models.ts';
import { messageOf } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { cardRow, paidOre, stateBadge } from './cards.ts';
import { initial, mmss, nok, scopeLabel, shortDate } from './format.ts';
import { errorScreen, paymentRequest } from './pay.ts';
import { api, every, go, loadSession, loading, onScreen, paymentPath, screen, session, setRouter, setSignedIn, showUserInBar, signOut, syncClock, ticks, tokenInPath } from './shell.ts';
import { signIn } from './sign-in.ts';

function route(): unknown {
  const token = tokenInPath();
  const wanted = normalizePhoneNumber(new URLSearchParams(location.search).get('phone') ?? '');
  const current = session();
  if (wanted && wanted !== current) {
    // A link for a particular user (from the landing page): ask to sign in as them.
    return signIn({ prefill: wanted, token });
  }
  if (wanted) history.replaceState(null, '', location.pathname);
  if (token) return paymentRequest(token);
  if (!current) return signIn({ prefill: '', token: null });
  return home();
}

function pendingCard(view: PaymentRequestView) {
  const left = h('span', { class: 'chip', testid: 'pending-left' }, mmss(view.secondsLeft) + ' left');
  const deadline = ticks() + view.secondsLeft * 1000;
  left.dataset.deadline = String(deadline);
  left.dataset.tone = countdownTone(view.secondsLeft);
  return h('li', {},
    h('button', { type: 'button', class: 'request', testid: 'pending-request', 'data-token': view.token, onclick: () => go(paymentPath(view.token)) },
      h('span', { class: 'avatar' }, initial(view.merchantName)),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-title', testid: 'pending-merchant' }, view.merchantName),
        h('span', { class: 'row-sub' }, view.transactionText)),
      h('span', { class: 'request-side' }, h('strong', { testid: 'pending-amount' }, nok(view.amountOre)), left)));
}


function historyItem(view: PaymentRequestView) {
  const lines = [shortDate(view.createdAtMs)];
  if (view.reservedAtMs && Math.floor(view.reservedAtMs / 60000) !== Math.floor(view.createdAtMs / 60000)) lines.push('reserved ' + shortDate(view.reservedAtMs));
  const money = [];
  if (view.capturedOre > 0) money.push('Captured ' + nok(view.capturedOre));
  if (view.refundedOre > 0) money.push('Refunded ' + nok(view.refundedOre));
  return h('li', { class: 'row history', testid: 'history-item', 'data-order-id': view.orderId },
    h('span', { class: 'avatar small' }, initial(view.merchantName)),
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, view.merchantName),
      h('span', { class: 'row-sub' }, view.transactionText),
      h('span', { class: 'row-sub', testid: 'history-date' }, lines.join(' · ')),
      money.length ? h('span', { class: 'row-sub strong' }, money.join(' · ')) : null),
    h('span', { class: 'request-side' }, h('strong', { testid: 'history-amount' }, nok(paidOre(view))), stateBadge(view)));
}

/** One of "Companies that remember you": who, what they may read, since when, and Remove. */
function consentItem(consent: ConsentView, remove: (consent: ConsentView, button: HTMLButtonElement) => unknown) {
  const button: HTMLButtonElement = h('button', {
    type: 'button', class: 'pill-button', testid: 'consent-remove', 'aria-label': 'Remove ' + consent.merchantName,
    onclick: () => remove(consent, button),
  }, 'Remove');
  return h('li', { class: 'row', testid: 'consent-item', 'data-consent-id': consent.id },
    h('span', { class: 'avatar small' }, initial(consent.merchantName)),
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title', testid: 'consent-merchant' }, consent.merchantName),
      h('span', { class: 'row-sub', testid: 'consent-scopes' }, consent.scopes.map(scopeLabel).join(', ')),
      h('span', { class: 'row-sub' }, 'Since ' + shortDate(consent.since))),
    button);
}

/** What decides whether home must be drawn again (the countdowns tick on their own). */
function homeKey(data: AppHomeView) {
  return JSON.stringify([data.user, data.pending.map((p) => [p.token, p.state]), data.history.map((p) => [p.token, p.state, p.reservedOre, p.capturedOre, p.refundedOre])]);
}

async function home() {
  const msisdn = session();
  if (!msisdn) return signIn({ prefill: '', token: null });
  loading();
  let data: AppHomeView;
  try {
    data = await api<AppHomeView>('GET', '/users/' + msisdn);
  } catch (e) {
    return errorScreen(messageOf(e), () => { setSignedIn(null); route(); }, 'Log in again');
  }
  const pendingList = h('ul', { class: 'list', testid: 'pending-list' });
  const historyList = h('ul', { class: 'list', testid: 'history-list' });
  const cardList = h('div', { class: 'list', testid: 'card-list' });
  const consentList = h('ul', { class: 'list', testid: 'consent-list' });
  const consentError = h('p', { class: 'error', role: 'alert', testid: 'consent-error' });
  const greeting = h('h1', { class: 'hero-title', testid: 'greeting' });
  const number = h('p', { class: 'hero-sub', testid: 'signed-in-as' });
  let key = '';

  function draw(next: AppHomeView): void {
    data = next;
    key = homeKey(next);
    showUserInBar(next.user);
    greeting.textContent = 'Hei, ' + next.user.firstName + '!';
    number.textContent = phoneText(next.user.msisdn);
    pendingList.replaceChildren(...(next.pending.length
      ? next.pending.map(pendingCard)
      : [h('li', { class: 'empty', testid: 'no-pending' }, 'No payment requests right now. When you continue with Vipps in a shop, the request shows up here.')]));
    cardList.replaceChildren(...(next.user.cards.length
      ? next.user.cards.map((card) => h('div', { testid: 'card' }, cardRow(card)))
      : [h('p', { class: 'empty' }, 'You have no cards in Vipps.')]));
    consentList.replaceChildren(...(next.user.consents.length
      ? next.user.consents.map((consent) => consentItem(consent, removeConsent))
      : [h('li', { class: 'empty', testid: 'no-consents' }, 'No companies remember you. When you share your information with a shop, it shows up here.')]));
    historyList.replaceChildren(...(next.history.length
      ? next.history.map(historyItem)
      : [h('li', { class: 'empty' }, 'No payments yet.')]));
  }

  async function removeConsent(consent: ConsentView, button: HTMLButtonElement): Promise<void> {
    consentError.textContent = '';
    button.disabled = true;
    try {
      await api('POST', '/users/' + msisdn + '/consents/' + encodeURIComponent(consent.id) + '/remove');
      const next = await api<AppHomeView>('GET', '/users/' + msisdn);
      if (still()) draw(next);
    } catch (e) {
      if (!still()) return;
      consentError.textContent = messageOf(e);
      button.disabled = false;
    }
  }

  const still = screen('home',
    h('div', { class: 'hero', testid: 'home' }, greeting, number),
    h('section', { class: 'section' }, h('h3', { class: 'section-title' }, 'Payment requests'), pendingList),
    h('section', { class: 'section' }, h('h3', { class: 'section-title' }, 'Cards'), cardList),
    h('section', { class: 'section', testid: 'consents' },
      h('h3', { class: 'section-title' }, 'Companies that remember you'),
      h('p', { class: 'hint' }, 'They may read what you shared with them. Remove one and it can no longer.'),
      consentList,
      consentError),
    h('section', { class: 'section' }, h('h3', { class: 'section-title' }, 'Activity'), historyList),
    h('button', { type: 'button', class: 'ghost', testid: 'sign-out', onclick: async () => { await signOut(); showUserInBar(null); go('/_kasse/app'); } }, 'Log out'));
  draw(data);

  every(2000, async () => {
    try {
      const next = await api<AppHomeView>('GET', '/users/' + msisdn);
      if (still() && homeKey(next) !== key) draw(next);
    } catch { /* keep the last picture */ }
  });
  every(1000, () => {
    for (const chip of onScreen('[data-deadline]')) {
      const left = (Number(chip.dataset.deadline) - ticks()) / 1000;
      chip.textContent = mmss(left) + ' left';
      chip.dataset.tone = countdownTone(left);
    }
  });
}


// ---------------------------------------------------------------- start

setRouter(route);
window.addEventListener('popstate', () => void route());
void Promise.all([syncClock(), loadSession()]).finally(() => void route());

