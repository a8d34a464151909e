import { BASE_STYLE, escapeHtml, formatNok } from './html.ts';

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

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${BASE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p class="brand">vipps</p><h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(message)}</p>`);
}

/**
 * The desktop landing page: merchant, amount and text; the phone number (pre-filled from customerInfo);
 * then "continue in the Vipps app" while it waits, and the redirect to fallBack when the payment ends —
 * approved, rejected, failed or timed out.
 */
export function landingPage(view: LandingView): string {
  return page(
    `Pay ${view.merchantName} with Vipps`,
    `<p class="brand">vipps</p>
<h1 data-testid="merchant">${escapeHtml(view.merchantName)}</h1>
<p class="amount" data-testid="amount">${escapeHtml(formatNok(view.amountOre))}</p>
<p class="muted" data-testid="text">${escapeHtml(view.transactionText)}</p>
<form id="phone-step" ${view.finished ? 'hidden' : ''}>
  <label for="phone">Your mobile number</label>
  <input id="phone" name="mobileNumber" inputmode="numeric" autocomplete="tel" maxlength="12" value="${escapeHtml(view.mobileNumber ?? '')}" required>
  <p class="error" id="error" role="alert"></p>
  <button class="primary" type="submit" id="continue">Continue</button>
  <button class="secondary" type="button" id="cancel">Cancel payment</button>
</form>
<section id="wait-step" hidden>
  <h2>Continue in the Vipps app</h2>
  <p class="muted">We sent the payment request to <strong id="pushed-to"></strong>. Open the app to confirm.</p>
  <p><a id="open-app" class="button primary" href="/_kasse/app">Open the simulated Vipps app</a></p>
</section>
<p class="muted" id="timer" ${view.finished ? 'hidden' : ''}>Time left: <span id="left">${view.secondsLeft}</span> s</p>
<p class="muted" id="done" ${view.finished ? '' : 'hidden'}>This payment is finished. Returning to the shop…</p>
<script>
const token = ${JSON.stringify(view.token)};
const fallBack = ${JSON.stringify(view.fallBack)};
const api = '/_kasse/landing/' + encodeURIComponent(token);
const $ = (id) => document.getElementById(id);
let left = ${view.secondsLeft};
function leave() { $('done').hidden = false; $('phone-step').hidden = true; $('wait-step').hidden = true; $('timer').hidden = true; setTimeout(() => { location.href = fallBack; }, 300); }
function waitInApp(msisdn) {
  $('phone-step').hidden = true; $('wait-step').hidden = false;
  $('pushed-to').textContent = msisdn;
  $('open-app').href = '/_kasse/app?phone=' + encodeURIComponent(msisdn);
}
async function poll() {
  try {
    const view = await (await fetch(api)).json();
    if (view.finished) return leave();
    left = view.secondsLeft; $('left').textContent = left;
    if (view.pushedTo && $('wait-step').hidden) waitInApp(view.pushedTo);
  } catch (e) { /* keep polling */ }
}
setInterval(poll, 1000);
setInterval(() => { left = Math.max(0, left - 1); $('left').textContent = left; }, 1000);
if (${JSON.stringify(view.finished)}) leave();
$('phone-step').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('error').textContent = '';
  const res = await fetch(api + '/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mobileNumber: $('phone').value }) });
  const body = await res.json();
  if (!res.ok) { $('error').textContent = (Array.isArray(body) ? body[0].errorMessage : body.error) || 'Something went wrong'; return; }
  waitInApp(body.pushedTo);
});
$('cancel').addEventListener('click', async () => {
  await fetch(api + '/cancel', { method: 'POST' });
  leave();
});
</script>`,
  );
}
