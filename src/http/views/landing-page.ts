import { USER_ACTION_TIMEOUT_MS } from '../../domain/payment.ts';
import { BASE_STYLE, escapeHtml, formatNok, scriptJson } from './html.ts';

export interface LandingView {
  token: string;
  merchantName: string;
  amountOre: number;
  transactionText: string;
  mobileNumber: string | null;
  state: string;
  secondsLeft: number;
  finished: boolean;
  fallBack: string;
}

/** A whole user-side page: the orange Vipps band, one card, a quiet footer. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="theme-color" content="#ff5b24"><title>${escapeHtml(title)}</title><style>${BASE_STYLE}</style></head><body>
<header class="topbar"><span class="wordmark" aria-label="Vipps">vipps</span><span class="tag">Kasse</span></header>
<main>${body}</main>
<footer>Simulated Vipps payment page, served by Kasse. No real money moves.</footer>
</body></html>`;
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(message)}</p>`);
}

const PHONE_ICON = `<svg viewBox="0 0 24 24" fill="none" stroke="#e0461a" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="6" y="2" width="12" height="20" rx="3"/><path d="M11 18h2"/></svg>`;

function initial(name: string): string {
  return (name.trim()[0] ?? 'V').toUpperCase();
}

/** Minutes and seconds, as the countdown shows them: 4:58. */
function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The desktop landing page: merchant, amount and text; the phone number (pre-filled from customerInfo);
 * then "continue in the Vipps app" while it waits, and the redirect to fallBack when the payment ends —
 * approved, rejected, failed or timed out.
 */
export function landingPage(view: LandingView): string {
  const hiddenIf = (condition: boolean) => (condition ? 'hidden' : '');
  return page(
    `Pay ${view.merchantName} with Vipps`,
    `<div class="merchant">
  <div class="avatar" aria-hidden="true">${escapeHtml(initial(view.merchantName))}</div>
  <div><p class="eyebrow">Pay to</p><h1 data-testid="merchant">${escapeHtml(view.merchantName)}</h1></div>
</div>
<p class="amount" data-testid="amount">${escapeHtml(formatNok(view.amountOre))}</p>
<p class="muted" data-testid="text">${escapeHtml(view.transactionText)}</p>
<hr>
<form id="phone-step" ${hiddenIf(view.finished)} novalidate>
  <label for="phone">Your mobile number</label>
  <div class="phone-field"><span>+47</span><input id="phone" name="mobileNumber" type="tel" inputmode="numeric" autocomplete="tel-national" maxlength="15" placeholder="8 digits" value="${escapeHtml(view.mobileNumber ?? '')}" required></div>
  <p class="error" id="error" role="alert"></p>
  <button class="primary" type="submit" id="continue">Continue</button>
  <button class="ghost" type="button" id="cancel">Cancel payment</button>
</form>
<section id="wait-step" class="waiting" hidden>
  <div class="pulse">${PHONE_ICON}</div>
  <h2>Continue in the Vipps app</h2>
  <p class="muted">We sent the payment request to <strong id="pushed-to"></strong>. Open Vipps on your phone to confirm or reject it.</p>
  <a id="open-app" class="button primary" href="/_kasse/app" target="_blank" rel="noopener">Open the simulated Vipps app</a>
  <button class="ghost" type="button" id="cancel-wait">Cancel payment</button>
</section>
<div class="countdown" id="timer" ${hiddenIf(view.finished)}>
  <div class="row"><span>Time left to confirm</span><strong id="left">${clockText(view.secondsLeft)}</strong></div>
  <div class="progress" id="progress"><span id="bar"></span></div>
</div>
<div class="waiting" id="done" ${hiddenIf(!view.finished)}>
  <p class="muted" role="status">This payment is finished. Returning to the shop…</p>
  <a class="button secondary" id="back" href="#">Back to ${escapeHtml(view.merchantName)}</a>
</div>
<script>
const token = ${scriptJson(view.token)};
const fallBack = ${scriptJson(view.fallBack)};
const api = '/_kasse/landing/' + encodeURIComponent(token);
const $ = (id) => document.getElementById(id);
const total = ${USER_ACTION_TIMEOUT_MS / 1000};
let left = ${scriptJson(view.secondsLeft)};
let leaving = false;
/** Only real places: never a javascript: or data: URL, whatever the merchant sent as fallBack. */
function safeUrl(url) {
  try { return /^(javascript|data|vbscript):/i.test(new URL(url, location.href).protocol) ? null : url; } catch (e) { return null; }
}
function showLeft() {
  const s = Math.max(0, Math.floor(left));
  $('left').textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  $('bar').style.width = Math.min(100, (s / total) * 100) + '%';
  $('progress').classList.toggle('low', s <= 60);
}
function leave() {
  if (leaving) return;
  leaving = true;
  $('done').hidden = false; $('phone-step').hidden = true; $('wait-step').hidden = true; $('timer').hidden = true;
  const target = safeUrl(fallBack);
  if (target) { $('back').href = target; setTimeout(() => { location.href = target; }, 300); } else { $('back').hidden = true; }
}
function waitInApp(msisdn) {
  $('phone-step').hidden = true; $('wait-step').hidden = false;
  $('pushed-to').textContent = msisdn.replace(/^(\\d{3})(\\d{2})(\\d{3})$/, '$1 $2 $3');
  $('open-app').href = '/_kasse/app/pay/' + encodeURIComponent(token) + '?phone=' + encodeURIComponent(msisdn);
}
async function poll() {
  if (leaving) return;
  try {
    const view = await (await fetch(api, { cache: 'no-store' })).json();
    if (view.finished) return leave();
    left = view.secondsLeft; showLeft();
    if (view.pushedTo && $('wait-step').hidden) waitInApp(view.pushedTo);
  } catch (e) { /* keep polling */ }
}
async function cancel() {
  $('cancel').disabled = true; $('cancel-wait').disabled = true;
  try { await fetch(api + '/cancel', { method: 'POST' }); } finally { leave(); }
}
showLeft();
setInterval(poll, 1000);
setInterval(() => { left = Math.max(0, left - 1); showLeft(); }, 1000);
if (${scriptJson(view.finished)}) leave();
$('phone-step').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('error').textContent = '';
  $('continue').disabled = true;
  try {
    const res = await fetch(api + '/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mobileNumber: $('phone').value }) });
    const body = await res.json();
    if (!res.ok) { $('error').textContent = (Array.isArray(body) ? body[0].errorMessage : body.error) || 'Something went wrong'; return; }
    if (body.finished) return leave();
    waitInApp(body.pushedTo);
  } catch (e) {
    $('error').textContent = 'Could not reach Vipps. Try again.';
  } finally {
    $('continue').disabled = false;
  }
});
$('cancel').addEventListener('click', cancel);
$('cancel-wait').addEventListener('click', cancel);
</script>`,
  );
}
