import { osloDateOf } from '../../domain/bank-calendar.ts';
import { ERRORS } from '../../channels/ecomm-v2/error-catalogue.ts';
import { REFUSAL_ERROR, REFUSAL_TEXT, TEST_AMOUNTS, UNKNOWN_RESULT_MS, isExpired, type MagicOutcome } from '../../domain/issuer.ts';
import { BASE_STYLE, escapeHtml, formatNok } from './html.ts';

export interface SandboxCard {
  label: string;
  brand: string;
  last4: string;
  expiryMonth: string;
  bankId: string;
  availableOre: number;
  maxAmountOre: number | null;
  state: string;
  isDefault: boolean;
}

export interface SandboxUser {
  msisdn: string;
  firstName: string;
  lastName: string;
  bankIdVerified: boolean;
  stepUpLimitOre: number | null;
  appVersion: string;
  canPayBusinesses: boolean;
  cards: SandboxCard[];
}

export interface SandboxBank {
  id: string;
  name: string;
  hold_days: number;
  force_through: number;
  refund_arrival_bank_days: number;
}

export interface SandboxView {
  nowMs: number;
  users: SandboxUser[];
  /** What each seeded user demonstrates, by phone number. */
  shows: ReadonlyMap<string, string>;
  banks: SandboxBank[];
}

const STYLE = `
  main.wide { max-width: 1200px; padding: 28px 32px 36px; }
  .intro { display: flex; gap: 24px; justify-content: space-between; align-items: flex-start; flex-wrap: wrap; }
  .intro p { max-width: 620px; margin: 6px 0 0; }
  .links { display: flex; gap: 10px; flex-wrap: wrap; }
  .links .button { width: auto; margin: 0; padding: 10px 18px; font-size: 15px; }
  .clock { font-size: 14px; color: var(--muted); margin-top: 10px; }
  section { margin-top: 36px; }
  section > h2 { font-size: 19px; margin: 0 0 4px; } section > p { margin: 0 0 14px; color: var(--muted); font-size: 15px; }
  .table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 14px; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; }
  th, td { text-align: left; vertical-align: top; padding: 10px 14px; border-top: 1px solid var(--line); }
  thead th { border-top: 0; background: #faf7f5; font-size: 12px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
  tbody tr:hover { background: #fffaf7; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; } td.num { white-space: nowrap; }
  .phone-link { font-weight: 700; white-space: nowrap; font-variant-numeric: tabular-nums; }
  .name { font-weight: 600; white-space: nowrap; }
  .cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
  .cards li { min-width: 240px; }
  .pill { display: inline-block; white-space: nowrap; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .4px; border-radius: 6px; padding: 1px 6px; margin-left: 4px; vertical-align: 1px; }
  .pill.bad { color: var(--bad); background: var(--bad-soft); } .pill.warn { color: var(--warn); background: var(--warn-soft); }
  .pill.ok { color: var(--ok); background: var(--ok-soft); } .pill.muted { color: var(--muted); background: #f1ecea; }
  .shows { color: var(--ink); min-width: 220px; }
  .facts-cell { font-size: 13px; color: var(--muted); min-width: 170px; } .facts-cell .pill { margin-left: 0; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f1ee; border-radius: 6px; padding: 1px 6px; }
  .steps { margin: 0; padding-left: 20px; } .steps li { margin: 4px 0; }
  @media (max-width: 640px) { main.wide { padding: 20px 16px; } }
`;

function nok(ore: number): string {
  return escapeHtml(formatNok(ore));
}

function phoneText(msisdn: string): string {
  return msisdn.replace(/^(\d{3})(\d{2})(\d{3})$/, '$1 $2 $3');
}

function cardLine(card: SandboxCard, today: string): string {
  const pills: string[] = [];
  if (card.isDefault) pills.push('<span class="pill muted">default</span>');
  if (card.state !== 'active') pills.push(`<span class="pill bad">${escapeHtml(card.state)}</span>`);
  if (isExpired(card.expiryMonth, today)) pills.push('<span class="pill bad">expired</span>');
  const limits = [`${nok(card.availableOre)} available`];
  if (card.maxAmountOre !== null) limits.push(`max ${nok(card.maxAmountOre)} per purchase`);
  const expiry = `${card.expiryMonth.slice(5, 7)}/${card.expiryMonth.slice(2, 4)}`;
  return `<li>${escapeHtml(card.label)} •••• ${escapeHtml(card.last4)} · ${escapeHtml(expiry)} · ${escapeHtml(card.bankId)}${pills.join('')}<br><span class="muted">${limits.join(' · ')}</span></li>`;
}

function userRow(user: SandboxUser, shows: string | undefined, today: string): string {
  const facts: string[] = [];
  facts.push(user.bankIdVerified ? 'BankID verified' : '<span class="pill warn">not BankID verified</span>');
  if (user.stepUpLimitOre !== null) facts.push(`BankID step-up above ${nok(user.stepUpLimitOre)}`);
  facts.push(`app ${escapeHtml(user.appVersion)}`);
  if (!user.canPayBusinesses) facts.push('<span class="pill bad">cannot pay businesses</span>');
  const cards = user.cards.length === 0 ? '<span class="muted">no cards</span>' : `<ul class="cards">${user.cards.map((c) => cardLine(c, today)).join('')}</ul>`;
  return `<tr data-testid="sandbox-user" data-msisdn="${escapeHtml(user.msisdn)}">
<td><a class="phone-link" href="/_kasse/app?phone=${encodeURIComponent(user.msisdn)}" title="Open the app as this user">${escapeHtml(phoneText(user.msisdn))}</a></td>
<td class="name">${escapeHtml(`${user.firstName} ${user.lastName}`)}</td>
<td class="shows">${shows ? escapeHtml(shows) : '<span class="muted">your own test user</span>'}</td>
<td>${cards}</td>
<td class="facts-cell">${facts.join('<br>')}</td>
</tr>`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function bankRow(bank: SandboxBank): string {
  return `<tr data-testid="sandbox-bank">
<td class="name">${escapeHtml(bank.name)}</td><td><code>${escapeHtml(bank.id)}</code></td>
<td class="num">${plural(bank.hold_days, 'day')}</td>
<td>${bank.force_through ? '<span class="pill warn">forced through</span> always succeed; the card can go negative' : `need the funds again; refused (Payment ${ERRORS.capture_failed.code}) when the card lacks them`}</td>
<td class="num">${plural(bank.refund_arrival_bank_days, 'bank day')}</td>
</tr>`;
}

function outcomeOf(outcome: MagicOutcome): { app: string; merchant: string } {
  if (outcome === 'unknown_result') {
    return {
      app: `The bank does not answer. The app says the answer is pending; after ${UNKNOWN_RESULT_MS / 3_600_000} hour the reservation fails.`,
      merchant: `/status REGISTER meanwhile, then RESERVE failed: Payment ${ERRORS.user_did_not_act.code}`,
    };
  }
  if (outcome === 'sca_required') {
    return {
      app: 'The bank asks for SCA / 3-D Secure. Approve it and the payment is reserved; force approve cannot, and fails.',
      merchant: `RESERVED after SCA in the app; force approve: Payment ${ERRORS[REFUSAL_ERROR.sca_required].code}`,
    };
  }
  const error = ERRORS[REFUSAL_ERROR[outcome]];
  return { app: REFUSAL_TEXT[outcome], merchant: `RESERVE failed: ${error.group} ${error.code} (${error.message})` };
}

function amountRow(amountOre: number, outcome: MagicOutcome): string {
  const { app, merchant } = outcomeOf(outcome);
  return `<tr data-testid="test-amount"><td class="num"><strong>${nok(amountOre)}</strong></td><td><code>${escapeHtml(outcome)}</code></td><td>${escapeHtml(app)}</td><td>${escapeHtml(merchant)}</td></tr>`;
}

/** GET /_kasse/sandbox: what a developer needs at hand while demoing or testing against the sandbox. */
export function sandboxPage(view: SandboxView): string {
  const today = osloDateOf(view.nowMs);
  const clock = new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', dateStyle: 'full', timeStyle: 'short' }).format(view.nowMs);
  const users = [...view.users].sort((a, b) => Number(!view.shows.has(a.msisdn)) - Number(!view.shows.has(b.msisdn)) || a.msisdn.localeCompare(b.msisdn));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="theme-color" content="#ff5b24"><title>Kasse sandbox</title><style>${BASE_STYLE}${STYLE}</style></head><body>
<header class="topbar"><span class="wordmark" aria-label="Vipps">vipps</span><span class="tag">Kasse sandbox</span></header>
<main class="wide">
<div class="intro">
  <div>
    <h1>Sandbox</h1>
    <p class="muted">Everything here is simulated: test users, their cards and banks, and amounts that force an outcome. Initiate a payment with the API, open the <code>url</code> it returns, and pay with the simulated Vipps app.</p>
    <p class="clock" data-testid="sandbox-clock">Sandbox clock: ${escapeHtml(clock)} (Oslo). Move it with <code>POST /_kasse/sandbox/clock</code>.</p>
  </div>
  <div class="links">
    <a class="button primary" href="/_kasse/app" data-testid="open-app">Open the simulated Vipps app</a>
    <a class="button secondary" href="/_kasse/sandbox/callbacks" data-testid="callbacks">Callbacks</a>
    <a class="button secondary" href="/_kasse/docs" data-testid="api-docs">API docs</a>
  </div>
</div>

<section>
  <h2>Test users</h2>
  <p>Any Norwegian mobile number works and becomes a happy-path user. The seeded ones each show one failure mode. Click a number to open the app as that user.</p>
  <div class="table-wrap"><table>
    <thead><tr><th>Phone</th><th>Name</th><th>Shows</th><th>Cards</th><th>Account</th></tr></thead>
    <tbody>${users.map((u) => userRow(u, view.shows.get(u.msisdn), today)).join('\n')}</tbody>
  </table></div>
</section>

<section>
  <h2>Banks</h2>
  <p>Each card belongs to a bank. A reservation holds the funds for the bank's hold period; refunds reach the card after its refund delay.</p>
  <div class="table-wrap"><table>
    <thead><tr><th>Bank</th><th>Id</th><th class="num">Holds a reservation</th><th>Captures after the hold</th><th class="num">Refunds arrive after</th></tr></thead>
    <tbody>${view.banks.map(bankRow).join('\n')}</tbody>
  </table></div>
</section>

<section>
  <h2>Test amounts</h2>
  <p>As in the Vipps test environment, these amounts force an outcome for any user and card, in the app and with force approve.</p>
  <div class="table-wrap"><table>
    <thead><tr><th class="num">Amount</th><th>Outcome</th><th>The user sees</th><th>The merchant sees</th></tr></thead>
    <tbody>${[...TEST_AMOUNTS].map(([ore, outcome]) => amountRow(ore, outcome)).join('\n')}</tbody>
  </table></div>
</section>

<section>
  <h2>Try it</h2>
  <ol class="steps">
    <li>Create a merchant: <code>POST /_kasse/sandbox/merchants</code> (or use the demo merchant printed at start-up).</li>
    <li>Initiate: <code>POST /ecomm/v2/payments</code> and open the <code>url</code> of the answer — on a phone it opens the app directly.</li>
    <li>Enter a test user's number, then confirm or reject in the <a href="/_kasse/app">simulated app</a>.</li>
    <li>Test users, banks and clock: <code>/_kasse/sandbox/users</code>, <code>/_kasse/sandbox/banks</code>, <code>/_kasse/sandbox/clock</code>; see the <a href="/_kasse/docs">API docs</a>.</li>
  </ol>
</section>
</main>
<footer>Kasse — a self-hosted Vipps eCommerce v2 sandbox. No real money moves.</footer>
</body></html>`;
}
