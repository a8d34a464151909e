/**
 * The desktop landing page (behind the initiate `url`): the phone number, then "continue in the Vipps app" while it
 * waits, and the redirect to fallBack when the payment ends. The server renders the page; this module reads its
 * data from data-* attributes of #landing and keeps it live.
 */
import { clockText, countdownTone } from '../../src/shared/countdown.ts';
import { normalizePhoneNumber, PHONE_FORMAT_MESSAGE, phoneText } from '../../src/shared/phone-number.ts';
import type { PaymentRequestView } from '../../src/shared/view-models.ts';
import { api, messageOf } from './lib/api.ts';
import { byId, safeUrl } from './lib/dom.ts';

const POLL_MS = 1000;

const page = byId('landing').dataset;
const token = page.token ?? '';
const fallBack = page.fallBack ?? '';
const totalSeconds = Number(page.totalSeconds);
let left = Number(page.secondsLeft);
let leaving = false;
const landingApi = `/_kasse/landing/${encodeURIComponent(token)}`;

const phoneStep = byId<HTMLFormElement>('phone-step');
const waitStep = byId('wait-step');
const error = byId('error');
const buttons = ['continue', 'cancel', 'cancel-wait'].map((id) => byId<HTMLButtonElement>(id));

function showLeft(): void {
  byId('left').textContent = clockText(left);
  byId('bar').style.width = `${Math.min(100, (Math.max(0, left) / totalSeconds) * 100)}%`;
  byId('timer').dataset.tone = countdownTone(left);
}

function leave(): void {
  if (leaving) return;
  leaving = true;
  byId('done').hidden = false;
  phoneStep.hidden = true;
  waitStep.hidden = true;
  byId('timer').hidden = true;
  const target = safeUrl(fallBack);
  const back = byId<HTMLAnchorElement>('back');
  if (target) {
    back.href = target;
    setTimeout(() => location.assign(target), 300);
  } else {
    back.hidden = true;
  }
}

function waitInApp(msisdn: string): void {
  phoneStep.hidden = true;
  waitStep.hidden = false;
  byId('pushed-to').textContent = phoneText(msisdn);
  byId<HTMLAnchorElement>('open-app').href = `/_kasse/app/pay/${encodeURIComponent(token)}?phone=${encodeURIComponent(msisdn)}`;
}

async function poll(): Promise<void> {
  if (leaving) return;
  try {
    const view = await api<PaymentRequestView>('GET', landingApi);
    if (view.finished) return leave();
    left = view.secondsLeft;
    showLeft();
    if (view.pushedTo && waitStep.hidden) waitInApp(view.pushedTo);
  } catch {
    // keep polling: the next answer decides
  }
}

async function cancel(): Promise<void> {
  buttons.forEach((b) => (b.disabled = true));
  try {
    await api('POST', `${landingApi}/cancel`);
  } catch {
    // the page leaves either way; the payment times out if the cancel did not arrive
  } finally {
    leave();
  }
}

phoneStep.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const input = byId<HTMLInputElement>('phone');
  if (normalizePhoneNumber(input.value) === null) {
    error.textContent = PHONE_FORMAT_MESSAGE;
    input.focus();
    return;
  }
  byId<HTMLButtonElement>('continue').disabled = true;
  try {
    const view = await api<PaymentRequestView>('POST', `${landingApi}/push`, { mobileNumber: input.value });
    if (view.finished) return leave();
    if (view.pushedTo) waitInApp(view.pushedTo);
  } catch (e) {
    error.textContent = messageOf(e);
  } finally {
    byId<HTMLButtonElement>('continue').disabled = false;
  }
});
byId('cancel').addEventListener('click', () => void cancel());
byId('cancel-wait').addEventListener('click', () => void cancel());

showLeft();
if (page.finished === 'true') leave();
setInterval(() => void poll(), POLL_MS);
setInterval(() => {
  left = Math.max(0, left - 1);
  showLeft();
}, 1000);
