/**
 * The simulated Vipps app's client code, served as /_kasse/app/app.js. Plain browser JavaScript (no build
 * step, no network beyond Kasse itself). Data from the API is only ever put on the page with textContent
 * (the `h` helper below), never as HTML.
 *
 * Screens: sign in → home (pending requests, cards, companies that remember you, activity) → payment request
 * (first the consent step when the merchant asks for the user's information; express checkout then picks the
 * address and the shipping method) → BankID / SCA challenge → receipt, refusal, pending or error → back to the
 * merchant's fallBack.
 */
export const APP_SCRIPT = String.raw`(() => {
'use strict';

const API = '/_kasse/app/api';
const SESSION_KEY = 'kasse.app.msisdn';
const root = document.getElementById('app');
const phoneFrame = document.getElementById('phone');
const barUser = document.getElementById('bar-user');

// ---------------------------------------------------------------- helpers

/** Build an element. Children that are strings become text nodes; props never take HTML. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An inline SVG icon from a fixed set (constant markup, no data). */
function icon(name) {
  const paths = {
    check: '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    cross: '<path d="M7 7l10 10M17 7L7 17"/>',
    clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    alert: '<path d="M12 8v5M12 16.5v.5"/><circle cx="12" cy="12" r="9"/>',
    back: '<path d="M15 5l-7 7 7 7"/>',
    chevron: '<path d="M9 5l7 7-7 7"/>',
    lock: '<rect x="5" y="11" width="14" height="9" rx="2"/><path d="M8 11V8a4 4 0 018 0v3"/>',
    shield: '<path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>',
    user: '<circle cx="12" cy="8" r="4"/><path d="M4 20c1.5-4 4.5-6 8-6s6.5 2 8 6"/>',
    mail: '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3.5 6.5L12 13l8.5-6.5"/>',
    phone: '<rect x="7" y="2.5" width="10" height="19" rx="2.5"/><path d="M11 18.5h2"/>',
    pin: '<path d="M12 21s-7-6.2-7-11.5a7 7 0 0114 0C19 14.8 12 21 12 21z"/><circle cx="12" cy="9.5" r="2.5"/>',
    cake: '<path d="M4 20h16v-7a2 2 0 00-2-2H6a2 2 0 00-2 2z"/><path d="M4 15c2 1.5 4 1.5 5.3 0 1.4 1.5 4 1.5 5.4 0 1.3 1.5 3.3 1.5 5.3 0M12 11V7M12 4.5v.5"/>',
    id: '<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="11" r="2"/><path d="M6 16c.7-1.4 1.8-2 3-2s2.3.6 3 2M15 10h3M15 13h3"/>',
    truck: '<path d="M3 6h11v10H3zM14 10h4l3 3v3h-7"/><circle cx="7" cy="17.5" r="1.8"/><circle cx="17.5" cy="17.5" r="1.8"/>',
  };
  const span = document.createElement('span');
  span.className = 'icon';
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round">' + (paths[name] || '') + '</svg>';
  return span;
}

const nokFormat = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function nok(ore) { return nokFormat.format(ore / 100) + ' kr'; }

const dateFormat = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
function dateTime(ms) { return dateFormat.format(new Date(ms)); }
const shortDateFormat = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
function shortDate(ms) { return shortDateFormat.format(new Date(ms)); }

/** 48000001 → 480 00 001, as Norwegian mobile numbers are written. */
function phoneText(msisdn) { return String(msisdn || '').replace(/^(\d{3})(\d{2})(\d{3})$/, '$1 $2 $3'); }

function mmss(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

/** Spaces, dashes, +47 and 0047 are fine; what remains must be 8 digits. */
function normalizePhone(value) {
  const digits = String(value || '').replace(/[\s-]/g, '').replace(/^(\+47|0047)/, '');
  return /^\d{8}$/.test(digits) ? digits : null;
}

/** Only real places: never a javascript: or data: URL, whatever the merchant sent as fallBack. */
function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return /^(javascript|data|vbscript):$/i.test(parsed.protocol) ? null : parsed.href;
  } catch (e) {
    return null;
  }
}

function initial(name) { return (String(name || '').trim()[0] || 'V').toUpperCase(); }

/** What a merchant can ask the user to share (the userinfo scopes), as the app names them. */
const SCOPES = {
  name: ['Name', 'name', 'user'],
  email: ['Email', 'email', 'mail'],
  phoneNumber: ['Phone number', 'phone number', 'phone'],
  address: ['Address', 'address', 'pin'],
  birthDate: ['Date of birth', 'date of birth', 'cake'],
  nin: ['National identity number', 'national identity number', 'id'],
};
function scopeLabel(scope) { return (SCOPES[scope] || [scope])[0]; }
function scopeWord(scope) { return (SCOPES[scope] || [scope, scope])[1]; }

/** ['a', 'b', 'c'] → "a, b and c". */
function andList(words) {
  return words.length <= 1 ? words.join('') : words.slice(0, -1).join(', ') + ' and ' + words[words.length - 1];
}

const ADDRESS_TYPE = { H: 'Home', W: 'Work', O: 'Other' };
function addressLines(address) {
  return [address.addressLine1, address.addressLine2].filter(Boolean).join(', ');
}
function addressText(address) { return addressLines(address) + ', ' + address.postCode + ' ' + address.city; }

// Countdowns run on the browser's monotonic clock (ticks). Dates follow the server's clock, which the sandbox
// may have moved (time travel): card expiry and receipts use now().
function ticks() { return performance.now(); }
let epochAtZeroTicks = performance.timeOrigin;
function now() { return epochAtZeroTicks + ticks(); }
async function syncClock() {
  try {
    const res = await fetch('/_kasse/sandbox/clock', { cache: 'no-store' });
    if (res.ok) {
      const body = await res.json();
      const server = Date.parse(body.now);
      if (Number.isFinite(server)) epochAtZeroTicks = server - ticks();
    }
  } catch (e) { /* production mode: the browser's own clock */ }
}

const monthFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit' });
function osloMonth(ms) {
  const parts = Object.fromEntries(monthFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return parts.year + '-' + parts.month;
}
function cardExpired(card) { return osloMonth(now()) > card.expiryMonth; }
function expiryText(card) { return card.expiryMonth.slice(5, 7) + '/' + card.expiryMonth.slice(2, 4); }
function cardProblem(card) {
  if (card.state === 'blocked') return 'Blocked';
  if (card.state === 'replaced') return 'Replaced';
  if (cardExpired(card)) return 'Expired';
  return null;
}

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const init = { method, cache: 'no-store', headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError('Could not reach Vipps. Check your connection and try again.', 0);
  }
  let data = null;
  try { data = await res.json(); } catch (e) { /* empty or not JSON */ }
  if (!res.ok) {
    const message = Array.isArray(data) && data[0] && data[0].errorMessage
      ? data[0].errorMessage
      : res.status === 404 ? 'This payment request does not exist.' : (data && (data.error || data.message)) || 'Something went wrong (HTTP ' + res.status + ').';
    throw new ApiError(message, res.status);
  }
  return data;
}

// ---------------------------------------------------------------- session and screens

// Signing in is remembering a phone number (localStorage; in memory only where storage is blocked).
let memorySession = null;
function stored() { try { return localStorage.getItem(SESSION_KEY); } catch (e) { return null; } }
function setSignedIn(msisdn) {
  try {
    if (msisdn) localStorage.setItem(SESSION_KEY, msisdn); else localStorage.removeItem(SESSION_KEY);
  } catch (e) { /* blocked storage: the session lasts this page */ }
  memorySession = msisdn;
}
function session() { return stored() || memorySession; }

let screenId = 0;
let timers = [];
/** Start a new screen: stops the previous screen's timers; returns a check for "still this screen". */
function screen(name, ...content) {
  screenId += 1;
  const id = screenId;
  timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
  timers = [];
  phoneFrame.dataset.screen = name;
  root.replaceChildren(...content);
  root.scrollTop = 0;
  return () => id === screenId;
}
function every(ms, fn) { timers.push(setInterval(fn, ms)); }
function later(ms, fn) { timers.push(setTimeout(fn, ms)); }

function loading() {
  screen('loading', h('div', { class: 'center-fill' }, h('div', { class: 'spinner', role: 'status', 'aria-label': 'Loading' })));
}

function showUserInBar(user) {
  barUser.replaceChildren();
  if (!user) return;
  barUser.append(h('span', { class: 'bar-avatar', title: user.firstName + ' ' + user.lastName, testid: 'bar-user' }, initial(user.firstName) + initial(user.lastName)));
}

function go(path) {
  history.pushState(null, '', path);
  route();
}

/** Back to the merchant's fallBack after delayMs (unless the user leaves this screen first). */
function returnTo(redirect, delayMs) {
  const target = safeUrl(redirect);
  if (target) later(delayMs, () => { location.href = target; });
}

function backButton(redirect, merchantName) {
  const target = safeUrl(redirect);
  if (!target) return null;
  return h('a', { class: 'button primary', href: target, testid: 'back-to-merchant' }, 'Back to ' + merchantName);
}

function paymentPath(token) { return '/_kasse/app/pay/' + encodeURIComponent(token); }

function tokenInPath() {
  const match = location.pathname.match(/^\/_kasse\/app\/pay\/([^/]+)\/?$/);
  if (!match) return null;
  try { return decodeURIComponent(match[1]); } catch (e) { return match[1]; }
}

/** /_kasse/app → home (or sign in); /_kasse/app/pay/:token → that payment request; ?phone= picks the user. */
function route() {
  const token = tokenInPath();
  const wanted = normalizePhone(new URLSearchParams(location.search).get('phone'));
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

// ---------------------------------------------------------------- sign in

async function signIn({ prefill, token, payment }) {
  showUserInBar(null);
  const error = h('p', { class: 'error', role: 'alert', testid: 'signin-error' });
  const input = h('input', {
    id: 'msisdn', type: 'tel', inputmode: 'numeric', autocomplete: 'tel-national', maxlength: '15',
    placeholder: '8 digits', testid: 'phone-input', value: prefill || '',
  });
  const submit = h('button', { class: 'primary', type: 'submit', testid: 'sign-in' }, token ? 'Continue' : 'Log in');
  const picks = h('ul', { class: 'list picks', testid: 'quick-picks' });
  const pickSection = h('section', { class: 'section', hidden: true },
    h('h3', { class: 'section-title' }, 'Test users'),
    h('p', { class: 'hint' }, 'Tap a seeded user to log in as them.'),
    picks);

  async function enter(msisdn) {
    error.textContent = '';
    submit.disabled = true;
    try {
      await api('GET', '/users/' + msisdn);
      setSignedIn(msisdn);
      if (token) go(paymentPath(token)); else go('/_kasse/app');
    } catch (e) {
      error.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  }

  const form = h('form', {
    class: 'sheet', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      const msisdn = normalizePhone(input.value);
      if (!msisdn) { error.textContent = 'Enter an 8-digit Norwegian mobile number.'; input.focus(); return; }
      enter(msisdn);
    },
  },
  h('label', { for: 'msisdn' }, 'Mobile number'),
  h('div', { class: 'phone-field' }, h('span', {}, '+47'), input),
  error,
  submit);

  const heading = payment
    ? [h('p', { class: 'hero-eyebrow' }, 'Payment request'), h('h1', { class: 'hero-title' }, 'Log in to pay ' + payment.merchantName), h('p', { class: 'hero-sub' }, nok(payment.amountOre))]
    : [h('h1', { class: 'hero-title' }, 'Log in to Vipps'), h('p', { class: 'hero-sub' }, 'The simulated Vipps app. Any Norwegian mobile number is a test user.')];
  screen('signin', h('div', { class: 'hero', testid: 'signin' }, heading), form, pickSection);
  if (!prefill) input.focus();

  try {
    const res = await fetch('/_kasse/sandbox/users', { cache: 'no-store' });
    if (!res.ok) return;
    const users = await res.json();
    for (const user of users) {
      if (!user) continue;
      picks.append(h('li', {},
        h('button', { type: 'button', class: 'row pick', testid: 'quick-pick', 'data-msisdn': user.msisdn, onclick: () => enter(user.msisdn) },
          h('span', { class: 'avatar small' }, initial(user.firstName) + initial(user.lastName)),
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, user.firstName + ' ' + user.lastName), h('span', { class: 'row-sub' }, phoneText(user.msisdn))),
          icon('chevron'))));
    }
    pickSection.hidden = users.length === 0;
  } catch (e) { /* no sandbox: no quick picks */ }
}

// ---------------------------------------------------------------- home

const STATE_LABEL = {
  initiated: ['Pending', 'warn'],
  reserved: ['Reserved', 'ok'],
  captured: ['Paid', 'ok'],
  cancelled: ['Cancelled', 'muted'],
  rejected: ['Expired', 'muted'],
  failed: ['Failed', 'bad'],
  voided: ['Cancelled by the shop', 'muted'],
};

function stateBadge(view) {
  const [label, tone] = STATE_LABEL[view.state] || [view.state, 'muted'];
  return h('span', { class: 'badge ' + tone, testid: 'state' }, label);
}

function brandMark(brand) {
  return brand === 'MASTERCARD'
    ? h('span', { class: 'brand-mark mc', title: 'Mastercard' }, h('i'), h('i'))
    : h('span', { class: 'brand-mark visa', title: 'Visa' }, 'VISA');
}

function cardRow(card, extra) {
  const problem = cardProblem(card);
  return h('div', { class: 'row card-row' + (problem ? ' card-problem' : '') },
    brandMark(card.brand),
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, card.label, card.isDefault ? h('span', { class: 'badge soft' }, 'Default') : null),
      h('span', { class: 'row-sub' }, '•••• ' + card.last4 + '  ·  ' + expiryText(card) + '  ·  ' + card.bankId)),
    problem ? h('span', { class: 'badge bad', testid: 'card-problem' }, problem) : null,
    extra || null);
}

function pendingCard(view) {
  const left = h('span', { class: 'chip', testid: 'pending-left' }, mmss(view.secondsLeft) + ' left');
  const deadline = ticks() + view.secondsLeft * 1000;
  left.dataset.deadline = String(deadline);
  return h('li', {},
    h('button', { type: 'button', class: 'request', testid: 'pending-request', 'data-token': view.token, onclick: () => go(paymentPath(view.token)) },
      h('span', { class: 'avatar' }, initial(view.merchantName)),
      h('span', { class: 'row-main' },
        h('span', { class: 'row-title', testid: 'pending-merchant' }, view.merchantName),
        h('span', { class: 'row-sub' }, view.transactionText)),
      h('span', { class: 'request-side' }, h('strong', { testid: 'pending-amount' }, nok(view.amountOre)), left)));
}

/** What the payment is for the user: express adds shipping to what is reserved. */
function paidOre(view) { return Math.max(view.amountOre, view.reservedOre || 0); }

function historyItem(view) {
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
function consentItem(consent, remove) {
  const button = h('button', {
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
function homeKey(data) {
  return JSON.stringify([data.user, data.pending.map((p) => [p.token, p.state]), data.history.map((p) => [p.token, p.state, p.reservedOre, p.capturedOre, p.refundedOre])]);
}

async function home() {
  const msisdn = session();
  if (!msisdn) return signIn({ prefill: '', token: null });
  loading();
  let data;
  try {
    data = await api('GET', '/users/' + msisdn);
  } catch (e) {
    return errorScreen(e.message, () => { setSignedIn(null); route(); }, 'Log in again');
  }
  const pendingList = h('ul', { class: 'list', testid: 'pending-list' });
  const historyList = h('ul', { class: 'list', testid: 'history-list' });
  const cardList = h('div', { class: 'list', testid: 'card-list' });
  const consentList = h('ul', { class: 'list', testid: 'consent-list' });
  const consentError = h('p', { class: 'error', role: 'alert', testid: 'consent-error' });
  const greeting = h('h1', { class: 'hero-title', testid: 'greeting' });
  const number = h('p', { class: 'hero-sub', testid: 'signed-in-as' });
  let key = '';

  function draw(next) {
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

  async function removeConsent(consent, button) {
    consentError.textContent = '';
    button.disabled = true;
    try {
      await api('POST', '/users/' + msisdn + '/consents/' + encodeURIComponent(consent.id) + '/remove');
      const next = await api('GET', '/users/' + msisdn);
      if (still()) draw(next);
    } catch (e) {
      if (!still()) return;
      consentError.textContent = e.message;
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
    h('button', { type: 'button', class: 'ghost', testid: 'sign-out', onclick: () => { setSignedIn(null); showUserInBar(null); go('/_kasse/app'); } }, 'Log out'));
  draw(data);

  every(2000, async () => {
    try {
      const next = await api('GET', '/users/' + msisdn);
      if (still() && homeKey(next) !== key) draw(next);
    } catch (e) { /* keep the last picture */ }
  });
  every(1000, () => {
    for (const chip of root.querySelectorAll('[data-deadline]')) {
      chip.textContent = mmss((Number(chip.dataset.deadline) - ticks()) / 1000) + ' left';
    }
  });
}

// ---------------------------------------------------------------- payment request

async function paymentRequest(token) {
  loading();
  let payment;
  try {
    payment = await api('GET', '/payments/' + encodeURIComponent(token));
  } catch (e) {
    return errorScreen(e.status === 404 ? 'This payment link is not valid.' : e.message, () => go('/_kasse/app'), 'Go to home');
  }
  const msisdn = session();
  if (!msisdn) {
    return signIn({ prefill: payment.mobileNumber || payment.pushedTo || '', token, payment });
  }
  if (payment.finished) return finishedScreen(payment);
  if (payment.issuerPending) return pendingScreen(payment, { message: 'Your bank has not answered yet. You will be notified.', redirect: payment.fallBack });

  let profile;
  try {
    profile = await api('GET', '/users/' + msisdn);
  } catch (e) {
    return errorScreen(e.message, () => { setSignedIn(null); route(); }, 'Log in again');
  }
  showUserInBar(profile.user);
  const cards = profile.user.cards;
  const preselected = (cards.find((c) => c.isDefault) || cards[0] || { id: null }).id;
  // A company the user already shares this with remembers them: no consent step (until the user removes it).
  let remembered = false;
  if (needsConsent(payment)) {
    try {
      remembered = (await api('GET', '/payments/' + encodeURIComponent(token) + '/consent?msisdn=' + msisdn)).remembered === true;
    } catch (e) {
      remembered = false;
    }
  }
  const flow = {
    token, payment, msisdn, user: profile.user, cards, cardId: preselected, passedBankId: false, passedSca: false,
    // Sharing: asked once per visit, before anything else. Express: the address and the shipping method.
    consented: remembered, remembered, addresses: profile.user.addresses || [], addressId: null, methods: null, shippingMethodId: null,
  };
  startRequest(flow);
}

function chosenCard(flow) { return flow.cards.find((c) => c.id === flow.cardId) || null; }
function chosenMethod(flow) { return (flow.methods || []).find((m) => m.shippingMethodId === flow.shippingMethodId) || null; }
function chosenAddress(flow) { return flow.addresses.find((a) => a.id === flow.addressId) || null; }
/** What the card is charged: the amount plus, for express, the chosen shipping. */
function totalOre(flow) {
  const method = chosenMethod(flow);
  return flow.payment.amountOre + (method ? method.shippingCostOre : 0);
}

/** The merchant asks for the user's information (express always does): the consent step comes first. */
function needsConsent(payment) { return payment.express || (Array.isArray(payment.scopes) && payment.scopes.length > 0); }

function startRequest(flow) {
  return needsConsent(flow.payment) && !flow.consented ? consentScreen(flow) : requestScreen(flow);
}

/** Every 2 s: has the payment ended elsewhere (the merchant cancelled, it expired)? Not while the user acts. */
function watchPayment(flow, still) {
  every(2000, async () => {
    if (flow.busy) return;
    try {
      const fresh = await api('GET', '/payments/' + encodeURIComponent(flow.token));
      if (!still() || flow.busy) return;
      if (fresh.finished) finishedScreen(fresh);
    } catch (e) { /* keep showing the request */ }
  });
}

function payHead(payment, amountOre) {
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
function scopeValue(flow, scope) {
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
function rememberedNote(flow) {
  if (!flow.remembered) return null;
  return h('p', { class: 'hint', testid: 'consent-remembered' },
    flow.payment.merchantName + ' remembers you: you share your ' + andList(flow.payment.scopes.map(scopeWord)) +
    '. You can remove it under "Companies that remember you".');
}

/** "<merchant> wants your name, email, …": Share goes on to the payment, Cancel rejects it. */
function consentScreen(flow) {
  const { payment } = flow;
  const error = h('p', { class: 'error', role: 'alert', testid: 'consent-error' });
  const scopes = payment.scopes;
  const share = h('button', {
    type: 'button', class: 'primary', testid: 'consent-share',
    onclick: () => { flow.consented = true; requestScreen(flow); },
  }, 'Share');
  const cancel = h('button', { type: 'button', class: 'secondary', testid: 'consent-cancel', onclick: () => reject(flow, error, [share, cancel]) }, 'Cancel');
  const items = scopes.map((scope) => {
    const value = scopeValue(flow, scope);
    return h('li', { class: 'row', testid: 'consent-scope', 'data-scope': scope },
      h('span', { class: 'scope-icon' }, icon((SCOPES[scope] || [])[2] || 'check')),
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

function cardPicker(flow) {
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

function countdown(seconds) {
  const total = 300;
  const deadline = ticks() + seconds * 1000;
  const text = h('strong', { testid: 'time-left' }, mmss(seconds));
  const bar = h('span');
  const progress = h('div', { class: 'progress' }, bar);
  function tick() {
    const left = Math.max(0, (deadline - ticks()) / 1000);
    text.textContent = mmss(left);
    bar.style.width = Math.min(100, (left / Math.max(total, seconds)) * 100) + '%';
    progress.classList.toggle('low', left <= 60);
    return left;
  }
  tick();
  return { el: h('div', { class: 'countdown' }, h('div', { class: 'countdown-row' }, h('span', {}, 'Time left'), text), progress), tick };
}

function requestScreen(flow) {
  if (flow.payment.express) return expressScreen(flow);
  const { payment } = flow;
  flow.passedBankId = false;
  flow.passedSca = false;
  const error = h('p', { class: 'error', role: 'alert', testid: 'pay-error' });
  const timer = countdown(payment.secondsLeft);
  const picker = cardPicker(flow);

  const confirmButton = h('button', { type: 'button', class: 'primary', testid: 'confirm', onclick: () => confirm(flow, error, [confirmButton, rejectButton]) }, 'Confirm');
  const rejectButton = h('button', { type: 'button', class: 'secondary', testid: 'reject', onclick: () => reject(flow, error, [confirmButton, rejectButton]) }, 'Reject');

  const otherUser = payment.pushedTo && payment.pushedTo !== flow.msisdn
    ? h('p', { class: 'notice' }, 'This request was sent to ' + phoneText(payment.pushedTo) + '. You are logged in as ' + phoneText(flow.msisdn) + '.')
    : null;

  const still = screen('request',
    homeBar(),
    payHead(payment, payment.amountOre),
    h('div', { class: 'section' }, timer.el, otherUser, rememberedNote(flow)),
    h('div', { class: 'section' }, picker),
    h('div', { class: 'actions' }, error, confirmButton, rejectButton));

  every(1000, () => {
    if (timer.tick() <= 0) { confirmButton.disabled = true; }
  });
  watchPayment(flow, still);
}

/**
 * Express checkout (Vipps Hurtigkasse): the address (default preselected) decides the shipping methods, which
 * Kasse gets from the merchant (or its static list) for that address; the default method is preselected and the
 * summary shows amount + shipping = total. Changing the address asks again. If the merchant cannot answer, the
 * payment has failed (as in the real app) and the user goes back to the merchant.
 */
function expressScreen(flow) {
  const { payment } = flow;
  flow.passedBankId = false;
  flow.passedSca = false;
  const error = h('p', { class: 'error', role: 'alert', testid: 'pay-error' });
  const timer = countdown(payment.secondsLeft);
  const addressPicker = h('fieldset', { class: 'picker', testid: 'address-picker' });
  const shippingPicker = h('fieldset', { class: 'picker', testid: 'shipping-picker' });
  const summary = h('dl', { class: 'facts summary', testid: 'summary' });
  let loads = 0;

  function drawAddresses(disabled) {
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
            h('span', { class: 'row-sub' }, address.postCode + ' ' + address.city + '  ·  ' + (ADDRESS_TYPE[address.addressType] || 'Other') + (address.isDefault ? '  ·  Default' : ''))))));
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
          h('span', { class: 'row-main' }, h('span', { class: 'row-title', testid: 'shipping-name' }, method.shippingMethod)),
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
    let answer;
    try {
      const query = '?msisdn=' + encodeURIComponent(flow.msisdn) + (flow.addressId === null ? '' : '&addressId=' + encodeURIComponent(flow.addressId));
      answer = await api('GET', '/payments/' + encodeURIComponent(flow.token) + '/shipping' + query);
    } catch (e) {
      if (mine !== loads) return;
      flow.busy = false;
      if (still()) errorScreen(e.message, () => paymentRequest(flow.token), 'Back to the payment');
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

  const confirmButton = h('button', { type: 'button', class: 'primary', testid: 'confirm', disabled: true, onclick: () => confirm(flow, error, [confirmButton, rejectButton]) }, 'Confirm');
  const rejectButton = h('button', { type: 'button', class: 'secondary', testid: 'reject', onclick: () => reject(flow, error, [confirmButton, rejectButton]) }, 'Reject');

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
function shippingFailedScreen(flow, answer) {
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

async function confirm(flow, error, buttons) {
  if (error) error.textContent = '';
  flow.busy = true;
  buttons.forEach((b) => { b.disabled = true; });
  let answer;
  try {
    const body = { msisdn: flow.msisdn, cardId: flow.cardId };
    if (flow.payment.express) body.shippingMethodId = flow.shippingMethodId;
    if (flow.passedBankId) body.passedBankId = true;
    if (flow.passedSca) body.passedSca = true;
    answer = await api('POST', '/payments/' + encodeURIComponent(flow.token) + '/confirm', body);
  } catch (e) {
    answer = { result: 'error', message: e.message };
  } finally {
    flow.busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
  switch (answer.result) {
    case 'approved': return receiptScreen(flow, answer);
    case 'refused': return refusedScreen(flow, answer);
    case 'challenge': return answer.challenge === 'sca' ? scaScreen(flow) : bankIdScreen(flow);
    case 'pending': return pendingScreen(flow.payment, answer);
    default: return errorScreen(answer.message || 'Something went wrong.', () => paymentRequest(flow.token), 'Back to the payment');
  }
}

async function reject(flow, error, buttons) {
  error.textContent = '';
  flow.busy = true;
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await api('POST', '/payments/' + encodeURIComponent(flow.token) + '/reject');
    screen('result',
      h('div', { class: 'result', testid: 'rejected' },
        h('div', { class: 'result-icon muted' }, icon('cross')),
        h('h1', {}, 'Payment rejected'),
        h('p', { class: 'muted' }, 'Nothing was paid. Taking you back to ' + flow.payment.merchantName + '…'),
        backButton(answer.redirect, flow.payment.merchantName)));
    returnTo(answer.redirect, 1200);
  } catch (e) {
    error.textContent = e.message;
    flow.busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// ---------------------------------------------------------------- challenges

function bankIdScreen(flow) {
  const { payment } = flow;
  const error = h('p', { class: 'error', role: 'alert', testid: 'bankid-error' });
  const code = h('input', { id: 'bankid-code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', placeholder: '6 digits', testid: 'bankid-code' });
  const password = h('input', { id: 'bankid-password', type: 'password', autocomplete: 'current-password', testid: 'bankid-password' });
  for (const field of [code, password]) field.addEventListener('input', () => { error.textContent = ''; });
  const submit = h('button', { type: 'submit', class: 'bankid-button', testid: 'bankid-submit' }, 'Confirm');
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
  const cancel = h('button', { type: 'button', class: 'ghost', testid: 'bankid-cancel', onclick: () => requestScreen(flow) }, 'Cancel');
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

function scaScreen(flow) {
  const { payment } = flow;
  const card = chosenCard(flow);
  const program = card && card.brand === 'MASTERCARD' ? 'Mastercard ID Check' : 'Visa Secure';
  const error = h('p', { class: 'error', role: 'alert', testid: 'sca-error' });
  const approve = h('button', {
    type: 'button', class: 'primary', testid: 'sca-approve',
    onclick: async () => { flow.passedSca = true; await confirm(flow, error, [approve, deny]); },
  }, 'Approve');
  const deny = h('button', { type: 'button', class: 'secondary', testid: 'sca-deny', onclick: () => requestScreen(flow) }, 'Deny');
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

function receiptScreen(flow, answer) {
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

function refusedScreen(flow, answer) {
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

function pendingScreen(payment, answer) {
  screen('result',
    h('div', { class: 'result', testid: 'pending' },
      h('div', { class: 'result-icon warn' }, icon('clock')),
      h('h1', {}, 'Waiting for your bank'),
      h('p', { class: 'result-message', testid: 'pending-message' }, answer.message),
      backButton(answer.redirect, payment.merchantName),
      h('button', { type: 'button', class: 'ghost', onclick: () => go('/_kasse/app') }, 'Go to home')));
}

function errorScreen(message, retry, retryLabel) {
  screen('result',
    h('div', { class: 'result', testid: 'error-screen' },
      h('div', { class: 'result-icon bad' }, icon('alert')),
      h('h1', {}, 'Something went wrong'),
      h('p', { class: 'result-message', testid: 'error-message' }, message),
      h('button', { type: 'button', class: 'secondary', testid: 'error-back', onclick: retry }, retryLabel)));
}

function finishedScreen(payment) {
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

// ---------------------------------------------------------------- start

window.addEventListener('popstate', route);
syncClock().finally(route);
})();
`;
