/** Sign in: a test user's phone number (or a quick pick of the seeded users). */
import { normalizePhoneNumber, PHONE_FORMAT_MESSAGE, PHONE_RULE_TEXT, phoneText } from '../../../src/shared/phone-number.ts';
import type { PaymentRequestView } from '../../../src/shared/view-models.ts';
import { messageOf } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { initial, nok } from './format.ts';
import { icon } from './icons.ts';
import { api, go, paymentPath, screen, setSignedIn, showUserInBar } from './shell.ts';

interface SignInOptions {
  prefill: string;
  token: string | null;
  payment?: PaymentRequestView;
}


export async function signIn({ prefill, token, payment }: SignInOptions): Promise<void> {
  showUserInBar(null);
  const error = h('p', { class: 'error', role: 'alert', testid: 'signin-error' });
  const input = h('input', {
    id: 'msisdn', type: 'tel', inputmode: 'numeric', autocomplete: 'tel-national', maxlength: '15',
    placeholder: '8 digits', testid: 'phone-input', value: prefill || '',
  });
  const submit: HTMLButtonElement = h('button', { class: 'primary', type: 'submit', testid: 'sign-in' }, token ? 'Continue' : 'Log in');
  const picks = h('ul', { class: 'list picks', testid: 'quick-picks' });
  const pickSection = h('section', { class: 'section', hidden: true },
    h('h3', { class: 'section-title' }, 'Test users'),
    h('p', { class: 'hint' }, 'Tap a seeded user to log in as them.'),
    picks);

  async function enter(msisdn: string): Promise<void> {
    error.textContent = '';
    submit.disabled = true;
    try {
      await api('GET', '/users/' + msisdn);
      setSignedIn(msisdn);
      if (token) go(paymentPath(token)); else go('/_kasse/app');
    } catch (e) {
      error.textContent = messageOf(e);
    } finally {
      submit.disabled = false;
    }
  }

  const form = h('form', {
    class: 'sheet', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      const msisdn = normalizePhoneNumber(input.value);
      if (!msisdn) { error.textContent = PHONE_FORMAT_MESSAGE; input.focus(); return; }
      void enter(msisdn);
    },
  },
  h('label', { for: 'msisdn' }, 'Mobile number'),
  h('div', { class: 'phone-field' }, h('span', {}, '+47'), input),
  error,
  submit);

  const heading = payment
    ? [h('p', { class: 'hero-eyebrow' }, 'Payment request'), h('h1', { class: 'hero-title' }, 'Log in to pay ' + payment.merchantName), h('p', { class: 'hero-sub' }, nok(payment.amountOre))]
    : [h('h1', { class: 'hero-title' }, 'Log in to Vipps'), h('p', { class: 'hero-sub' }, `The simulated Vipps app. Any test user: ${PHONE_RULE_TEXT}.`)];
  screen('signin', h('div', { class: 'hero', testid: 'signin' }, heading), form, pickSection);
  if (!prefill) input.focus();

  try {
    const res = await fetch('/_kasse/sandbox/users', { cache: 'no-store' });
    if (!res.ok) return;
    const users = (await res.json()) as { msisdn: string; firstName: string; lastName: string }[];
    for (const user of users) {
      if (!user) continue;
      picks.append(h('li', {},
        h('button', { type: 'button', class: 'row pick', testid: 'quick-pick', 'data-msisdn': user.msisdn, onclick: () => enter(user.msisdn) },
          h('span', { class: 'avatar small' }, initial(user.firstName) + initial(user.lastName)),
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, user.firstName + ' ' + user.lastName), h('span', { class: 'row-sub' }, phoneText(user.msisdn))),
          icon('chevron'))));
    }
    pickSection.hidden = users.length === 0;
  } catch { /* no sandbox: no quick picks */ }
}


