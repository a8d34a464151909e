/**
 * The sandbox callbacks page, live: the server renders the first table (usable without JavaScript); this module
 * re-renders it from /_kasse/sandbox/callbacks.json, opens a row to show what was sent and each attempt, and
 * replays a call. Data reaches the page as text only.
 */
import { fullTime, rowCells } from '../../src/shared/callback-view.ts';
import type { OutboundCallView } from '../../src/shared/view-models.ts';
import { api, messageOf } from './lib/api.ts';
import { byId, h } from './lib/dom.ts';

const page = byId('callbacks').dataset;
const DROPPED = page.dropped ?? '';
const POLL_MS = Number(page.pollMs);
const tbody = byId('rows');
const empty = byId('empty');
const notice = byId('notice');
const filter = byId<HTMLInputElement>('filter');
const live = byId<HTMLInputElement>('live');
const liveLabel = byId('live-label');
const open = new Set<number>();
let calls: OutboundCallView[] | null = null;
let lastJson = '';
let message = '';
let now = byId('now').textContent ?? '';

function row(call: OutboundCallView): HTMLElement {
  const cells = rowCells(call, DROPPED);
  const url = h('td', { class: 'url', title: cells.request }, h('span', { class: 'method' }, call.method), ` ${call.url}`);
  return h(
    'tr',
    { 'data-id': call.id, class: open.has(call.id) ? 'open' : null },
    h('td', { class: 'nowrap' }, h('span', { class: 'mono' }, cells.id)),
    h('td', { class: 'nowrap mono', title: cells.timeTitle }, cells.time),
    h('td', { class: 'mono' }, cells.msn),
    h('td', { class: 'mono order' }, cells.order),
    h('td', { class: 'kind' }, cells.kind),
    url,
    h('td', null, h('span', { class: `state ${cells.state}` }, cells.state)),
    h('td', null, h('span', { class: `result ${cells.resultClass}`, title: cells.resultTitle || null }, cells.result)),
    h('td', { class: 'num' }, cells.latency),
    h('td', { class: 'num' }, cells.attempts),
    h('td', { class: 'actions' }, h('button', { type: 'button', class: 'secondary small-button', 'data-replay': call.id }, 'Replay')),
  );
}

function requestText(call: OutboundCallView): string {
  const headers = Object.entries(call.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  const body = call.body === null ? '(no body)' : typeof call.body === 'string' ? call.body : JSON.stringify(call.body, null, 2);
  return `${call.method} ${call.url}${headers ? `\n${headers}` : ''}\n\n${body}`;
}

function detail(call: OutboundCallView): HTMLElement {
  const attempts = h('ul', { class: 'attempts' });
  for (const attempt of call.attempts) {
    const outcome = attempt.httpStatus !== null ? `HTTP ${attempt.httpStatus}` : (attempt.error ?? 'no answer');
    attempts.append(
      h(
        'li',
        null,
        h('strong', null, `Attempt ${attempt.attemptNo} · ${outcome}`),
        ` · ${fullTime(attempt.startedAt)} · ${attempt.latencyMs} ms`,
        attempt.httpStatus !== null && attempt.error ? h('div', { class: 'muted' }, attempt.error) : null,
        attempt.responseExcerpt ? h('pre', null, attempt.responseExcerpt) : null,
      ),
    );
  }
  if (call.attempts.length === 0) {
    const waiting = `Not attempted yet; next attempt at ${fullTime(call.nextAttemptAt)}${call.delayed ? ' (delayed by a sandbox fault rule)' : ''}`;
    attempts.append(h('li', { class: 'muted' }, call.state === 'pending' ? waiting : 'No attempts.'));
  }
  const section = (title: string, content: Node) => h('div', null, h('h3', null, title), content);
  return h(
    'tr',
    { class: 'detail' },
    h('td', { colspan: 11 }, h('div', { class: 'detail-grid' }, section('Request', h('pre', null, requestText(call))), section('Attempts', attempts))),
  );
}

function matches(call: OutboundCallView, text: string): boolean {
  if (!text) return true;
  return [call.merchantSerialNumber, call.orderId ?? '', call.url, call.state, call.kind, `#${call.id}`].some((v) => v.toLowerCase().includes(text));
}

function render(): void {
  if (!calls) return;
  const text = filter.value.trim().toLowerCase();
  const shown = calls.filter((call) => matches(call, text));
  const fragment = document.createDocumentFragment();
  for (const call of shown) {
    fragment.append(row(call));
    if (open.has(call.id)) fragment.append(detail(call));
  }
  tbody.replaceChildren(fragment);
  empty.hidden = shown.length > 0;
  empty.textContent = calls.length === 0 ? 'No outbound calls yet. Approve a payment and its callback shows up here.' : 'No call matches the filter.';
}

function showNow(): void {
  notice.replaceChildren(`Sandbox time ${now} UTC${message ? ` · ${message}` : ''}`);
}

function say(text: string): void {
  message = text;
  showNow();
}

async function refresh(): Promise<void> {
  try {
    const data = await api<{ now: string; callbacks: OutboundCallView[] }>('GET', '/_kasse/sandbox/callbacks.json');
    now = fullTime(data.now);
    showNow();
    const json = JSON.stringify(data.callbacks);
    if (json !== lastJson) {
      lastJson = json;
      calls = data.callbacks;
      render();
    }
  } catch (error) {
    say(`could not refresh (${error instanceof Error ? error.message : String(error)})`);
  }
}

async function replay(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const body = await api<{ id: number }>('POST', `/_kasse/sandbox/callbacks/${button.dataset.replay ?? ''}/replay`);
    say(`call #${button.dataset.replay ?? ''} replayed as #${body.id}`);
    await refresh();
  } catch (error) {
    say(`replay failed: ${messageOf(error)}`);
  } finally {
    button.disabled = false;
  }
}

tbody.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target?.closest<HTMLButtonElement>('button[data-replay]');
  if (button) {
    event.stopPropagation();
    void replay(button);
    return;
  }
  if (target?.closest('.detail') || window.getSelection()?.toString()) return;
  const tr = target?.closest<HTMLElement>('tr[data-id]');
  if (!tr) return;
  const id = Number(tr.dataset.id);
  if (open.has(id)) open.delete(id);
  else open.add(id);
  render();
});

filter.addEventListener('input', render);
live.addEventListener('change', () => {
  liveLabel.classList.toggle('paused', !live.checked);
  if (live.checked) void refresh();
});

async function loop(): Promise<void> {
  if (live.checked && !document.hidden) await refresh();
  setTimeout(() => void loop(), POLL_MS);
}
void refresh().then(() => setTimeout(() => void loop(), POLL_MS));
