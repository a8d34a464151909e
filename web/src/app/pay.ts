/**
 * A payment request in the app: the consent step when the merchant asks for the user's information; express checkout
 * (address, then the merchant's shipping methods, then the total); card; BankID / SCA challenges; the outcome.
 */
import { countdownTone } from '../../../src/shared/countdown.ts';
import { phoneText } from '../../../src/shared/phone-number.ts';
import type { AddressView, CardView, ConfirmAnswer, PaymentRequestView, ShippingAnswer, ShippingMethodView } from '../../../src/shared/view-models.ts';
import type { AppHomeView, AppUserView } from '../../../src/shared/view-models.ts';
import { ApiError, messageOf } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { addressLines, addressText, addressTypeText, andList, dateTime, initial, mmss, nok, scopeIcon, scopeLabel, scopeWord } from './format.ts';
import { icon } from './icons.ts';
import { cardRow, paidOre, STATE_LABEL } from './cards.ts';
import { api, userActionSeconds, backButton, every, go, loading, now, returnTo, route, screen, session, setSignedIn, showUserInBar, signOut, ticks } from './shell.ts';
import { signIn } from './sign-in.ts';

/** What the user has chosen so far on one payment request. */
interface Flow {
  token: string;
  payment: PaymentRequestView;
  msisdn: string;
  user: AppUserView;
  cards: CardView[];
  cardId: string | null;
  passedBankId: boolean;
  passedSca: boolean;
  busy?: boolean;
  consented: boolean;
  remembered: boolean;
  addresses: AddressView[];
  addressId: number | null;
  methods: ShippingMethodView[] | null;
  shippingMethodId: string | null;
}

type ConfirmAnswerOf<R extends ConfirmAnswer['result']> = Extract<ConfirmAnswer, { result: R }>;

// ---------------------------------------------------------------- payment request

export async function paymentRequest(token: string) {
  loading();
  let payment: PaymentRequestView;
  try {
    payment = await api<PaymentRequestView>('GET', '/payments/' + encodeURIComponent(token));
  } catch (e) {
    return errorScreen(e instanceof ApiError && e.status === 404 ? 'This payment link is not valid.' : messageOf(e), () => go('/_kasse/app'), 'Go to home');
  }
  const msisdn = session();
  if (!msisdn) {
    return signIn({ prefill: payment.mobileNumber || payment.pushedTo || '', token, payment });
  }
  if (payment.finished) return finishedScreen(payment);
  if (payment.issuerPending) return pendingScreen(payment, { message: 'Your bank has not answered yet. You will be notified.', redirect: payment.fallBack });

  let profile: AppHomeView;
  try {
    profile = await api<AppHomeView>('GET', '/users/' + msisdn);
  } catch (e) {
    return errorScreen(messageOf(e), () => { setSignedIn(null); route(); }, 'Log in again');
  }
  showUserInBar(profile.user);
  const cards = profile.user.cards;
  const preselected = (cards.find((c) => c.isDefault) || cards[0] || { id: null }).id;
  // A company the user already shares this with remembers them: no consent step (until the user removes it).
  let remembered = false;
  if (needsConsent(payment)) {
    try {
      remembered = (await api<{ remembered: boolean }>('GET', '/payments/' + encodeURIComponent(token) + '/consent?msisdn=' + msisdn)).remembered === true;
    } catch {
      remembered = false;
    }
  }
  // Only the user it was pushed to may answer a request (the server refuses anyone else): offer to switch.
  if (payment.pushedTo && payment.pushedTo !== msisdn) return otherUserScreen(payment, token, msisdn, payment.pushedTo);
  const flow: Flow = {
    token, payment, msisdn, user: profile.user, cards, cardId: preselected, passedBankId: false, passedSca: false,
    // Sharing: asked once per visit, before anything else. Express: the address and the shipping method.
    consented: remembered, remembered, addresses: profile.user.addresses || [], addressId: null, methods: null, shippingMethodId: null,
  };
  startRequest(flow);
}

function chosenCard(flow: Flow) { return flow.cards.find((c) => c.id === flow.cardId) || null; }
function chosenMethod(flow: Flow) { return (flow.methods || []).find((m) => m.shippingMethodId === flow.shippingMethodId) || null; }
function chosenAddress(flow: Flow) { return flow.addresses.find((a) => a.id === flow.addressId) || null; }
/** What the card is charged: the amount plus, for express, the chosen shipping. */
function totalOre(flow: Flow) {
  const method = chosenMethod(flow);
  return flow.payment.amountOre + (method ? method.shippingCostOre : 0);
}

/** The merchant asks for the user's information (express always does): the consent step comes first. */
function needsConsent(payment: PaymentRequestView) { return payment.express || (Array.isArray(payment.scopes) && payment.scopes.length > 0); }

function startRequest(flow: Flow) {
  return needsConsent(flow.payment) && !flow.consented ? consentScreen(flow) : requestScreen(flow);
}

/** Every 2 s: has the payment ended elsewhere (the merchant cancelled, it expired)? Not while the user acts. */
function watchPayment(flow: Flow, still: () => boolean) {
  every(2000, async () => {
    if (flow.busy) return;
    try {
      const fresh = await api<PaymentRequestView>('GET', '/payments/' + encodeURIComponent(flow.token));
      if (!still() || flow.busy) return;
      if (fresh.finished) finishedScreen(fresh);
    } catch { /* keep showing the request */ }
  });
}

function payHead(payment: PaymentRequestView, amountOre: number) {
  return h('div', { class: 'pay-head', testid: 'payment-request' },
    h('span', { class: 'avatar large' }, initial(payment.merchantName)),
    h('p', { class: 'eyebrow' }, 'Pay to'),
    h('h1', { class: 'pay-merchant', testid: 'merchant' }, payment.merchantName),
    h('p', { class: 'pay-amount', testid: 'amount' }, nok(amountOre)),
    h('p', { class: 'pay-text', testid: 'transaction-text' }, payment.transactionText));
}

function homeBar() {
  return h('div', { class: 'subbar' }, h('button', { type: 'button', class: 'link-button', testid: 'to-home', onclick: () => go('/_kasse/app') }, icon('back'), 'Home'));
}

/** What the user would share: their own value where the app knows it. */
function scopeValue(flow: Flow, scope: string) {
  const { user } = flow;
  switch (scope) {
    case 'name': return user.firstName + ' ' + user.lastName;
    case 'email': return user.email || null;
    case 'phoneNumber': return '+47 ' + phoneText(user.msisdn);
    case 'address': {
      const address = flow.addresses.find((a) => a.isDefault) || flow.addresses[0];
      return address ? addressText(address) + (flow.addresses.length > 1 ? ' (and ' + (flow.addresses.length - 1) + ' more)' : '') : null;
    }
    case 'birthDate': return user.birthDate || null;
    default: return null;
  }
}

/** Shown instead of the consent step when the merchant already remembers the user. */
function rememberedNote(flow: Flow) {
  if (!flow.remembered) return null;
  return h('p', { class: 'hint', testid: 'consent-remembered' },
    flow.payment.merchantName + ' remembers you: you share your ' + andList(flow.payment.scopes.map(scopeWord)) +
    '. You can remove it under "Companies that remember you".');
}

/** "<merchant> wants your name, email, …": Share goes on to the payment, Cancel rejects it. */
function consentScreen(flow: Flow) {
  const { payment } = flow;
  const error = h('p', { class: 'error', role: 'alert', testid: 'consent-error' });
  const scopes = payment.scopes;
  const share: HTMLButtonElement = h('button', {
    type: 'button', class: 'primary', testid: 'consent-share',
    onclick: () => { flow.consented = true; requestScreen(flow); },
  }, 'Share');
  const cancel: HTMLButtonElement = h('button', { type: 'button', class: 'secondary', testid: 'consent-cancel', onclick: () => reject(flow, error, [share, cancel]) }, 'Cancel');
  const items = scopes.map((scope) => {
    const value = scopeValue(flow, scope);
    return h('li', { class: 'row', testid: 'consent-scope', 'data-scope': scope },
      h('span', { class: 'scope-icon' }, icon(scopeIcon(scope))),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-title' }, scopeLabel(scope)),
        value ? h('span', { class: 'row-sub', testid: 'consent-value' }, value) : null));
  });
  const still = screen('consent',
    h('div', { class: 'hero', testid: 'consent' },
      h('p', { class: 'hero-eyebrow' }, payment.express ? 'Hurtigkasse · ' + nok(payment.amountOre) + ' + shipping' : 'Before you pay ' + nok(payment.amountOre)),
      h('h1', { class: 'hero-title', testid: 'consent-title' }, payment.merchantName + ' wants your ' + andList(scopes.map(scopeWord))),
      h('p', { class: 'hero-sub' }, payment.express
        ? 'So that ' + payment.merchantName + ' can send you your order without you filling in a form.'
        : payment.merchantName + ' asks for this with your payment.')),
    h('section', { class: 'section' },
      h('h3', { class: 'section-title' }, 'You share'),
      h('ul', { class: 'list', testid: 'consent-scopes' }, items)),
    h('p', { class: 'hint center' }, payment.merchantName + ' will remember you. You can remove it any time under "Companies that remember you".'),
    h('div', { class: 'actions' }, error, share, cancel));
  watchPayment(flow, still);
}

function cardPicker(flow: Flow) {
  const picker = h('fieldset', { class: 'picker', testid: 'card-picker' }, h('legend', { class: 'section-title' }, 'Pay with'));
  if (flow.cards.length === 0) {
    picker.append(h('p', { class: 'empty', testid: 'no-cards' }, 'You have no cards in Vipps. Your bank will refuse the payment.'));
  }
  for (const card of flow.cards) {
    const radio = h('input', {
      type: 'radio', name: 'card', value: card.id, checked: card.id === flow.cardId, testid: 'card-radio',
      onchange: () => { flow.cardId = card.id; },
    });
    picker.append(h('label', { class: 'card-option', testid: 'card-option', 'data-card-id': card.id, 'data-last4': card.last4 }, radio, cardRow(card)));
  }
  return picker;
}

/** The 5-minute window, ticking on the browser's monotonic clock; warning-coloured only in its last minute. */
function countdown(seconds: number) {
  const deadline = ticks() + seconds * 1000;
  const text = h('strong', { testid: 'time-left' }, mmss(seconds));
  const bar = h('span', null);
  const progress = h('div', { class: 'progress' }, bar);
  const el = h('div', { class: 'countdown', testid: 'countdown' }, h('div', { class: 'countdown-row' }, h('span', null, 'Time left'), text), progress);
  function tick(): number {
    const left = Math.max(0, (deadline - ticks()) / 1000);
    text.textContent = mmss(left);
    bar.style.width = `${Math.min(100, (left / Math.max(userActionSeconds, seconds)) * 100)}%`;
    el.dataset.tone = countdownTone(left);
    return left;
  }
  tick();
  return { el, tick };
}

function requestScreen(flow: Flow) {
  if (flow.payment.express) return expressScreen(flow);
  const { payment } = flow;
  flow.passedBankId = false;
  flow.passedSca = false;
  const error = h('p', { class: 'error', role: 'alert', testid: 'pay-error' });
  const timer = countdown(payment.secondsLeft);
  const picker = cardPicker(flow);

  const confirmButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', testid: 'confirm', onclick: () => confirm(flow, error, [confirmButton, rejectButton]) }, 'Confirm');
  const rejectButton: HTMLButtonElement = h('button', { type: 'button', class: 'secondary', testid: 'reject', onclick: () => reject(flow, error, [confirmButton, rejectButton]) }, 'Reject');

  const still = screen('request',
    homeBar(),
    payHead(payment, payment.amountOre),
    h('div', { class: 'section' }, timer.el, rememberedNote(flow)),
    h('div', { class: 'section' }, picker),
    h('div', { class: 'actions' }, error, confirmButton, rejectButton));

  every(1000, () => {
    if (timer.tick() <= 0) { confirmButton.disabled = true; }
  });
  watchPayment(flow, still);
}

function otherUserScreen(payment: PaymentRequestView, token: string, msisdn: string, pushedTo: string) {
  const switchUser = async () => {
    await signOut();
    void signIn({ prefill: pushedTo, token, payment });
  };
  screen('request',
    homeBar(),
    payHead(payment, payment.amountOre),
    h('div', { class: 'section' },
      h('p', { class: 'notice', testid: 'other-user' }, 'This request was sent to ' + phoneText(pushedTo) + '. You are logged in as ' + phoneText(msisdn) + ': only ' + phoneText(pushedTo) + ' can answer it.')),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', testid: 'switch-user', onclick: switchUser }, 'Log in as ' + phoneText(pushedTo))));
}

/**
 * Express checkout (Vipps Hurtigkasse): the address (default preselected) decides the shipping methods, which
 * Kasse gets from the merchant (or its static list) for that address; the default method is preselected and the
 * summary shows amount + shipping = total. Changing the address asks again. If the merchant cannot answer, the
 * payment has failed (as in the real app) and the user goes back to the merchant.
 */
function expressScreen(flow: Flow) {
  const { payment } = flow;
  flow.passedBankId = false;
  flow.passedSca = false;
  const error = h('p', { class: 'error', role: 'alert', testid: 'pay-error' });
  const timer = countdown(payment.secondsLeft);
  const addressPicker = h('fieldset', { class: 'picker', testid: 'address-picker' });
  const shippingPicker = h('fieldset', { class: 'picker', testid: 'shipping-picker' });
  const summary = h('dl', { class: 'facts summary', testid: 'summary' });
  let loads = 0;

  function drawAddresses(disabled: boolean): void {
    addressPicker.replaceChildren(h('legend', { class: 'section-title' }, 'Deliver to'));
    if (flow.addresses.length === 0) addressPicker.append(h('p', { class: 'empty', testid: 'no-addresses' }, 'You have no addresses in Vipps.'));
    for (const address of flow.addresses) {
      const radio = h('input', {
        type: 'radio', name: 'address', value: String(address.id), checked: address.id === flow.addressId, disabled, testid: 'address-radio',
        onchange: () => { flow.addressId = address.id; loadMethods(); },
      });
      addressPicker.append(h('label', { class: 'card-option', testid: 'address-option', 'data-address-id': address.id }, radio,
        h('span', { class: 'row' },
          h('span', { class: 'scope-icon' }, icon('pin')),
          h('span', { class: 'row-main' },
            h('span', { class: 'row-title wrap' }, addressLines(address)),
            h('span', { class: 'row-sub' }, address.postCode + ' ' + address.city + '  ·  ' + addressTypeText(address.addressType) + (address.isDefault ? '  ·  Default' : ''))))));
    }
  }

  function drawMethods() {
    shippingPicker.replaceChildren(h('legend', { class: 'section-title' }, 'Shipping'));
    if (flow.methods === null) {
      shippingPicker.append(h('div', { class: 'loading-row', role: 'status', testid: 'shipping-loading' },
        h('span', { class: 'spinner small' }), 'Getting shipping options from ' + payment.merchantName + '…'));
      return;
    }
    for (const method of flow.methods) {
      const radio = h('input', {
        type: 'radio', name: 'shipping', value: method.shippingMethodId, checked: method.shippingMethodId === flow.shippingMethodId, testid: 'shipping-radio',
        onchange: () => { flow.shippingMethodId = method.shippingMethodId; drawSummary(); },
      });
      shippingPicker.append(h('label', { class: 'card-option', testid: 'shipping-option', 'data-method-id': method.shippingMethodId }, radio,
        h('span', { class: 'row' },
          h('span', { class: 'scope-icon' }, icon('truck')),
          h('span', { class: 'row-main' }, h('span', { class: 'row-title wrap', testid: 'shipping-name' }, method.shippingMethod)),
          h('strong', { class: 'cost', testid: 'shipping-cost' }, nok(method.shippingCostOre)))));
    }
  }

  function drawSummary() {
    const method = chosenMethod(flow);
    summary.replaceChildren(
      h('dt', {}, 'Amount'), h('dd', { testid: 'summary-amount' }, nok(payment.amountOre)),
      h('dt', {}, method ? 'Shipping · ' + method.shippingMethod : 'Shipping'), h('dd', { testid: 'summary-shipping' }, method ? nok(method.shippingCostOre) : '…'),
      h('dt', { class: 'total' }, 'Total'), h('dd', { class: 'total', testid: 'summary-total' }, method ? nok(totalOre(flow)) : '…'));
    summary.dataset.ready = method ? 'true' : 'false';
    confirmButton.disabled = !method || flow.busy === true;
  }

  /** Ask for the methods for flow.addressId (null: the default); the newest answer wins, addresses wait. */
  async function loadMethods() {
    loads += 1;
    const mine = loads;
    flow.busy = true;
    flow.methods = null;
    flow.shippingMethodId = null;
    drawAddresses(true);
    drawMethods();
    drawSummary();
    let answer: ShippingAnswer;
    try {
      const query = '?msisdn=' + encodeURIComponent(flow.msisdn) + (flow.addressId === null ? '' : '&addressId=' + encodeURIComponent(flow.addressId));
      answer = await api<ShippingAnswer>('GET', '/payments/' + encodeURIComponent(flow.token) + '/shipping' + query);
    } catch (e) {
      if (mine !== loads) return;
      flow.busy = false;
      if (still()) errorScreen(messageOf(e), () => paymentRequest(flow.token), 'Back to the payment');
      return;
    }
    if (mine !== loads) return;
    flow.busy = false;
    if (!still()) return;
    if (!answer.ok) return shippingFailedScreen(flow, answer);
    flow.addresses = answer.addresses;
    flow.addressId = answer.addressId;
    flow.methods = answer.methods.slice().sort((a, b) => a.priority - b.priority);
    flow.shippingMethodId = answer.defaultMethodId;
    drawAddresses(false);
    drawMethods();
    drawSummary();
  }

  const confirmButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', testid: 'confirm', disabled: true, onclick: () => confirm(flow, error, [confirmButton, rejectButton]) }, 'Confirm');
  const rejectButton: HTMLButtonElement = h('button', { type: 'button', class: 'secondary', testid: 'reject', onclick: () => reject(flow, error, [confirmButton, rejectButton]) }, 'Reject');

  const still = screen('request',
    homeBar(),
    payHead(payment, payment.amountOre),
    h('div', { class: 'section' }, timer.el, rememberedNote(flow)),
    h('div', { class: 'section' }, addressPicker),
    h('div', { class: 'section' }, shippingPicker),
    h('div', { class: 'section' }, cardPicker(flow)),
    h('div', { class: 'section' }, summary),
    h('div', { class: 'actions' }, error, confirmButton, rejectButton));

  if (flow.methods !== null && chosenMethod(flow)) {
    // Back from a challenge: what the user chose is still offered.
    drawAddresses(false);
    drawMethods();
    drawSummary();
  } else {
    if (flow.addressId === null) flow.addressId = (flow.addresses.find((a) => a.isDefault) || flow.addresses[0] || { id: null }).id;
    loadMethods();
  }
  every(1000, () => {
    if (timer.tick() <= 0) { confirmButton.disabled = true; }
  });
  watchPayment(flow, still);
}

/** The merchant could not offer shipping: the payment has failed; back to the merchant, as the real app does. */
function shippingFailedScreen(flow: Flow, answer: Extract<ShippingAnswer, { ok: false }>) {
  const { payment } = flow;
  const redirect = answer.redirect || payment.fallBack;
  screen('result',
    h('div', { class: 'result', testid: 'shipping-failed' },
      h('div', { class: 'result-icon bad' }, icon('cross')),
      h('h1', {}, 'Payment failed'),
      h('p', { class: 'result-message', testid: 'shipping-failed-message' }, 'No shipping methods found'),
      h('p', { class: 'muted small' }, payment.merchantName + ' could not offer shipping to your address. Nothing was paid.'),
      backButton(redirect, payment.merchantName),
      h('p', { class: 'hint center' }, 'Returning to ' + payment.merchantName + ' in 4 s…')));
  returnTo(redirect, 4000);
}

async function confirm(flow: Flow, error: HTMLElement | null, buttons: HTMLButtonElement[]) {
  if (error) error.textContent = '';
  flow.busy = true;
  buttons.forEach((b) => { b.disabled = true; });
  let answer: ConfirmAnswer;
  try {
    const body: { msisdn: string; cardId: string | null; shippingMethodId?: string | null; passedBankId?: true; passedSca?: true } = { msisdn: flow.msisdn, cardId: flow.cardId };
    if (flow.payment.express) body.shippingMethodId = flow.shippingMethodId;
    if (flow.passedBankId) body.passedBankId = true;
    if (flow.passedSca) body.passedSca = true;
    answer = await api<ConfirmAnswer>('POST', '/payments/' + encodeURIComponent(flow.token) + '/confirm', body);
  } catch (e) {
    answer = { result: 'error', message: messageOf(e) };
  } finally {
    flow.busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
  switch (answer.result) {
    case 'approved': return receiptScreen(flow, answer);
    case 'refused': return refusedScreen(flow, answer);
    case 'challenge': return answer.challenge === 'sca' ? scaScreen(flow) : bankIdScreen(flow);
    case 'pending': return pendingScreen(flow.payment, answer);
    default: return errorScreen(answer.message, () => paymentRequest(flow.token), 'Back to the payment');
  }
}

async function reject(flow: Flow, error: HTMLElement, buttons: HTMLButtonElement[]) {
  error.textContent = '';
  flow.busy = true;
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await api<{ redirect?: string | null }>('POST', '/payments/' + encodeURIComponent(flow.token) + '/reject');
    screen('result',
      h('div', { class: 'result', testid: 'rejected' },
        h('div', { class: 'result-icon muted' }, icon('cross')),
        h('h1', {}, 'Payment rejected'),
        h('p', { class: 'muted' }, 'Nothing was paid. Taking you back to ' + flow.payment.merchantName + '…'),
        backButton(answer.redirect, flow.payment.merchantName)));
    returnTo(answer.redirect, 1200);
  } catch (e) {
    error.textContent = messageOf(e);
    flow.busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// ---------------------------------------------------------------- challenges

function bankIdScreen(flow: Flow) {
  const { payment } = flow;
  const error = h('p', { class: 'error', role: 'alert', testid: 'bankid-error' });
  const code = h('input', { id: 'bankid-code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', placeholder: '6 digits', testid: 'bankid-code' });
  const password = h('input', { id: 'bankid-password', type: 'password', autocomplete: 'current-password', testid: 'bankid-password' });
  for (const field of [code, password]) field.addEventListener('input', () => { error.textContent = ''; });
  const submit: HTMLButtonElement = h('button', { type: 'submit', class: 'bankid-button', testid: 'bankid-submit' }, 'Confirm');
  const form = h('form', {
    class: 'sheet', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = '';
      if (!/^\d{6}$/.test(code.value.trim())) { error.textContent = 'Enter the 6-digit one-time code.'; code.focus(); return; }
      if (password.value === '') { error.textContent = 'Enter your personal password.'; password.focus(); return; }
      flow.passedBankId = true;
      await confirm(flow, error, [submit, cancel]);
    },
  },
  h('label', { for: 'bankid-code' }, 'One-time code'),
  code,
  h('label', { for: 'bankid-password', class: 'gap' }, 'Personal password'),
  password,
  error,
  submit);
  const cancel: HTMLButtonElement = h('button', { type: 'button', class: 'ghost', testid: 'bankid-cancel', onclick: () => requestScreen(flow) }, 'Cancel');
  screen('bankid',
    h('div', { class: 'hero bankid-hero', testid: 'bankid' },
      h('p', { class: 'bankid-logo' }, 'BankID'),
      h('h1', { class: 'hero-title' }, 'Confirm with BankID'),
      h('p', { class: 'hero-sub' }, flow.user.stepUpLimitOre !== null && totalOre(flow) > flow.user.stepUpLimitOre
        ? 'The payment of ' + nok(totalOre(flow)) + ' to ' + payment.merchantName + ' is above your limit of ' + nok(flow.user.stepUpLimitOre) + '. Confirm that it is you.'
        : 'Confirm who you are to pay ' + nok(totalOre(flow)) + ' to ' + payment.merchantName + '.')),
    form,
    h('p', { class: 'hint center' }, 'Sandbox: any 6-digit code and any password will do.'),
    cancel);
  code.focus();
}

function scaScreen(flow: Flow) {
  const { payment } = flow;
  const card = chosenCard(flow);
  const program = card && card.brand === 'MASTERCARD' ? 'Mastercard ID Check' : 'Visa Secure';
  const error = h('p', { class: 'error', role: 'alert', testid: 'sca-error' });
  const approve: HTMLButtonElement = h('button', {
    type: 'button', class: 'primary', testid: 'sca-approve',
    onclick: async () => { flow.passedSca = true; await confirm(flow, error, [approve, deny]); },
  }, 'Approve');
  const deny: HTMLButtonElement = h('button', { type: 'button', class: 'secondary', testid: 'sca-deny', onclick: () => requestScreen(flow) }, 'Deny');
  screen('sca',
    h('div', { class: 'hero sca-hero', testid: 'sca' },
      h('div', { class: 'result-icon light' }, icon('shield')),
      h('p', { class: 'hero-eyebrow' }, program + (card ? ' · ' + card.bankId : '')),
      h('h1', { class: 'hero-title' }, "Your bank wants to confirm it's you")),
    h('dl', { class: 'facts sheet' },
      h('dt', {}, 'Merchant'), h('dd', {}, payment.merchantName),
      h('dt', {}, 'Amount'), h('dd', {}, nok(totalOre(flow))),
      h('dt', {}, 'Card'), h('dd', {}, card ? card.label + ' •••• ' + card.last4 : 'No card'),
      h('dt', {}, 'Date'), h('dd', {}, dateTime(now()))),
    h('p', { class: 'hint center' }, '3-D Secure: approve to let your bank answer the payment.'),
    h('div', { class: 'actions' }, error, approve, deny));
}

// ---------------------------------------------------------------- outcomes

function receiptScreen(flow: Flow, answer: ConfirmAnswerOf<'approved'>) {
  const { payment } = flow;
  const card = chosenCard(flow);
  const status = answer.kind === 'sale' ? 'Paid' : 'Reserved';
  const method = payment.express ? chosenMethod(flow) : null;
  const address = payment.express ? chosenAddress(flow) : null;
  screen('result',
    h('div', { class: 'result', testid: 'receipt' },
      h('div', { class: 'result-icon ok' }, icon('check')),
      h('h1', { testid: 'receipt-status' }, status),
      h('p', { class: 'pay-amount', testid: 'receipt-amount' }, nok(totalOre(flow))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'To'), h('dd', { testid: 'receipt-merchant' }, payment.merchantName),
        h('dt', {}, 'Text'), h('dd', {}, payment.transactionText),
        method ? [h('dt', {}, 'Shipping'), h('dd', { testid: 'receipt-shipping' }, method.shippingMethod + ' · ' + nok(method.shippingCostOre))] : null,
        address ? [h('dt', {}, 'Deliver to'), h('dd', { testid: 'receipt-address' }, addressText(address))] : null,
        h('dt', {}, 'Card'), h('dd', { testid: 'receipt-card' }, card ? card.label + ' •••• ' + card.last4 : '—'),
        h('dt', {}, 'Time'), h('dd', {}, dateTime(now())),
        h('dt', {}, 'Order'), h('dd', {}, payment.orderId)),
      h('p', { class: 'muted small' }, answer.kind === 'sale'
        ? 'The amount has been charged to your card.'
        : 'The amount is reserved on your card. You are charged when the shop sends your order.'),
      backButton(answer.redirect, payment.merchantName),
      h('p', { class: 'hint center', testid: 'returning' }, 'Returning to ' + payment.merchantName + ' in 2 s…')));
  returnTo(answer.redirect, 2000);
}

function refusedScreen(flow: Flow, answer: ConfirmAnswerOf<'refused'>) {
  const { payment } = flow;
  screen('result',
    h('div', { class: 'result', testid: 'refused' },
      h('div', { class: 'result-icon bad' }, icon('cross')),
      h('h1', {}, 'Payment failed'),
      h('p', { class: 'result-message', testid: 'refused-message' }, answer.message),
      h('p', { class: 'muted small' }, nok(payment.amountOre) + ' to ' + payment.merchantName + ' was not paid.'),
      backButton(answer.redirect, payment.merchantName),
      h('p', { class: 'hint center' }, 'Returning to ' + payment.merchantName + ' in 4 s…')));
  returnTo(answer.redirect, 4000);
}

function pendingScreen(payment: PaymentRequestView, answer: { message: string; redirect?: string | null }) {
  screen('result',
    h('div', { class: 'result', testid: 'pending' },
      h('div', { class: 'result-icon warn' }, icon('clock')),
      h('h1', {}, 'Waiting for your bank'),
      h('p', { class: 'result-message', testid: 'pending-message' }, answer.message),
      backButton(answer.redirect, payment.merchantName),
      h('button', { type: 'button', class: 'ghost', onclick: () => go('/_kasse/app') }, 'Go to home')));
}

export function errorScreen(message: string, retry: () => unknown, retryLabel: string) {
  screen('result',
    h('div', { class: 'result', testid: 'error-screen' },
      h('div', { class: 'result-icon bad' }, icon('alert')),
      h('h1', {}, 'Something went wrong'),
      h('p', { class: 'result-message', testid: 'error-message' }, message),
      h('button', { type: 'button', class: 'secondary', testid: 'error-back', onclick: retry }, retryLabel)));
}

function finishedScreen(payment: PaymentRequestView) {
  const [label] = STATE_LABEL[payment.state] || [payment.state];
  const paid = payment.state === 'reserved' || payment.state === 'captured';
  screen('result',
    h('div', { class: 'result', testid: 'finished' },
      h('div', { class: 'result-icon ' + (paid ? 'ok' : 'muted') }, icon(paid ? 'check' : 'cross')),
      h('h1', {}, 'Nothing to confirm'),
      h('p', { class: 'result-message' }, 'The payment of ' + nok(paidOre(payment)) + ' to ' + payment.merchantName + ' is no longer waiting for you.'),
      h('p', { class: 'muted small', testid: 'finished-state' }, 'Status: ' + label),
      backButton(payment.fallBack, payment.merchantName),
      h('button', { type: 'button', class: 'ghost', onclick: () => go('/_kasse/app') }, 'Go to home')));
}

