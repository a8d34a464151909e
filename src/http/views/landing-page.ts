import { BASE_STYLE, escapeHtml, formatNok } from './html.ts';

export interface LandingView {
  merchantName: string;
  orderId: string;
  amountOre: number;
  transactionText: string;
  mobileNumber: string | null;
  state: string;
  expiresAtMs: number;
  fallBack: string;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${BASE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p class="brand">vipps</p><h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(message)}</p>`);
}

/** The desktop landing page: merchant, amount, text, the phone number, confirm or cancel. */
export function landingPage(view: LandingView, token: string, nowMs: number): string {
  if (view.state !== 'initiated') {
    return messagePage('Payment finished', `This payment is no longer waiting for you (${view.state}).`);
  }
  const secondsLeft = Math.max(0, Math.round((view.expiresAtMs - nowMs) / 1000));
  return page(
    `Pay ${view.merchantName}`,
    `<p class="brand">vipps</p>
<h1>${escapeHtml(view.merchantName)}</h1>
<p class="amount" data-testid="amount">${escapeHtml(formatNok(view.amountOre))}</p>
<p class="muted" data-testid="text">${escapeHtml(view.transactionText)}</p>
<form id="pay">
  <label for="phone">Your mobile number</label>
  <input id="phone" name="mobileNumber" inputmode="numeric" autocomplete="tel" value="${escapeHtml(view.mobileNumber ?? '')}" required>
  <p class="error" id="error"></p>
  <button class="primary" type="submit">Confirm payment</button>
  <button class="secondary" type="button" id="cancel">Cancel</button>
</form>
<p class="muted">Time left: <span id="left">${secondsLeft}</span> s</p>
<script>
const token = ${JSON.stringify(token)};
let left = ${secondsLeft};
setInterval(() => { left = Math.max(0, left - 1); document.getElementById('left').textContent = left; if (left === 0) location.reload(); }, 1000);
async function act(path, body) {
  const res = await fetch('/_kasse/landing/' + encodeURIComponent(token) + '/' + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  const data = await res.json();
  if (data.redirect) location.href = data.redirect; else document.getElementById('error').textContent = data.error || 'Something went wrong';
}
document.getElementById('pay').addEventListener('submit', (e) => { e.preventDefault(); act('approve', { mobileNumber: document.getElementById('phone').value }); });
document.getElementById('cancel').addEventListener('click', () => act('cancel'));
</script>`,
  );
}
