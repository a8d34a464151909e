/** Sign in: phone number and PIN (in the sandbox also a quick pick of the seeded users, or a new number without a PIN). */
import { normalizePhoneNumber, PHONE_FORMAT_MESSAGE, PHONE_RULE_TEXT, phoneText } from '../../../src/shared/phone-number.ts';
import { APP_ERRORS, PIN_PATTERN } from '../../../src/shared/app-sign-in.ts';
import type { AppSessionView, PaymentRequestView } from '../../../src/shared/view-models.ts';
import { api as fetchJson, messageOf } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { initial, nok } from './format.ts';
import { icon } from './icons.ts';
import { go, paymentPath, sandboxMode, screen, setSignedIn, showUserInBar } from './shell.ts';

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
  const pinInput = h('input', {
    id: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'current-password', maxlength: '6',
    placeholder: sandboxMode ? 'PIN (empty: a new number)' : '4–6 digits', testid: 'pin-input',
  });
  const submit: HTMLButtonElement = h('button', { class: 'primary', type: 'submit', testid: 'sign-in' }, token ? 'Continue' : 'Log in');
  const picks = h('ul', { class: 'list picks', testid: 'quick-picks' });
  const pickSection = h('section', { class: 'section', hidden: true },
    h('h3', { class: 'section-title' }, 'Test users'),
    h('p', { class: 'hint' }, 'Sandbox only: tap a seeded user to log in as them with their PIN.'),
    picks);

  async function enter(msisdn: string, pin: string | null): Promise<void> {
    error.textContent = '';
    submit.disabled = true;
    try {
      // The header tells Kasse the page itself signs in (another site's page cannot send it).
      setSignedIn(await fetchJson<AppSessionView>('POST', '/_kasse/app/api/session', { msisdn, pin }, { 'x-kasse-app': '1' }));
      if (token) go(paymentPath(token)); else go('/_kasse/app');
    } catch (e) {
      error.textContent = messageOf(e);
      pinInput.value = '';
      pinInput.focus();
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
      const pin = pinInput.value.trim();
      if (pin === '' && !sandboxMode) { error.textContent = APP_ERRORS.pin_required; pinInput.focus(); return; }
      if (pin !== '' && !new RegExp(PIN_PATTERN).test(pin)) { error.textContent = 'A PIN is 4 to 6 digits.'; pinInput.focus(); return; }
      void enter(msisdn, pin === '' ? null : pin);
    },
  },
  h('label', { for: 'msisdn' }, 'Mobile number'),
  h('div', { class: 'phone-field' }, h('span', {}, '+47'), input),
  h('label', { for: 'pin' }, 'PIN'),
  pinInput,
  sandboxMode
    ? h('p', { class: 'hint sandbox-only', testid: 'sandbox-no-pin' },
      'Sandbox only: a number that has no PIN logs in with the PIN left empty. The seeded users\' PINs are on the sandbox page. In production every user has a PIN.')
    : null,
  error,
  submit);

  const heading = payment
    ? [h('p', { class: 'hero-eyebrow' }, 'Payment request'), h('h1', { class: 'hero-title' }, 'Log in to pay ' + payment.merchantName), h('p', { class: 'hero-sub' }, nok(payment.amountOre))]
    : [h('h1', { class: 'hero-title' }, 'Log in to Vipps'), h('p', { class: 'hero-sub' }, `The simulated Vipps app. Your mobile number (${PHONE_RULE_TEXT}) and PIN.`)];
  screen('signin', h('div', { class: 'hero', testid: 'signin' }, heading), form, pickSection);
  if (!prefill) input.focus(); else pinInput.focus();

  if (!sandboxMode) return;
  try {
    const res = await fetch('/_kasse/sandbox/users', { cache: 'no-store' });
    if (!res.ok) return;
    const users = (await res.json()) as { msisdn: string; firstName: string; lastName: string; pin?: string | null }[];
    for (const user of users) {
      // Only users whose PIN the sandbox shows (or who have none) can be picked.
      if (!user || user.pin === undefined) continue;
      const pin = user.pin;
      picks.append(h('li', {},
        h('button', { type: 'button', class: 'row pick', testid: 'quick-pick', 'data-msisdn': user.msisdn, onclick: () => enter(user.msisdn, pin) },
          h('span', { class: 'avatar small' }, initial(user.firstName) + initial(user.lastName)),
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, user.firstName + ' ' + user.lastName), h('span', { class: 'row-sub' }, phoneText(user.msisdn) + (pin ? ' · PIN ' + pin : ' · no PIN'))),
          icon('chevron'))));
    }
    pickSection.hidden = picks.childElementCount === 0;
  } catch { /* the sandbox is not there: no quick picks */ }
}
