import { DROPPED_BY_FAULT as DROPPED, type OutboundCallView } from '../../core/callbacks/inspect.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { BASE_STYLE, escapeHtml, scriptJson } from './html.ts';

export interface CallbacksPageView {
  nowMs: number;
  calls: OutboundCallView[];
}

/** Refresh period of the live table. */
export const CALLBACKS_POLL_MS = 2000;

/** "2026-01-05T10:00:03.123Z" → "2026-01-05 10:00:03" (sandbox time, UTC). */
function fullTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '');
}

/** The table's compact form: "01-05 10:00:03". */
function shortTime(iso: string): string {
  return fullTime(iso).slice(5);
}

function lastAttempt(call: OutboundCallView) {
  return call.attempts.at(-1);
}

function resultText(call: OutboundCallView): string {
  const last = lastAttempt(call);
  if (!last) return call.state === 'pending' && call.delayed ? 'delayed (fault rule)' : 'not sent yet';
  if (last.httpStatus !== null) return `HTTP ${last.httpStatus}`;
  return last.error === DROPPED ? 'dropped (fault rule)' : (last.error ?? 'no answer');
}

function resultClass(call: OutboundCallView): string {
  const last = lastAttempt(call);
  if (!last) return 'wait';
  return last.httpStatus !== null && last.httpStatus >= 200 && last.httpStatus < 300 ? 'ok' : 'bad';
}

function rowHtml(call: OutboundCallView): string {
  const last = lastAttempt(call);
  const time = last?.startedAt ?? call.createdAt;
  const cell = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
  return `<tr data-id="${call.id}">
<td class="nowrap"><span class="mono">#${call.id}</span></td>
<td class="nowrap mono" title="${escapeHtml(fullTime(time))} UTC">${escapeHtml(shortTime(time))}</td>
${cell(call.merchantSerialNumber, 'mono')}
${cell(call.orderId ?? '—', 'mono order')}
${cell(call.kind.replace(/_/g, ' '), 'kind')}
<td class="url" title="${escapeHtml(`${call.method} ${call.url}`)}"><span class="method">${escapeHtml(call.method)}</span> ${escapeHtml(call.url)}</td>
<td><span class="state ${escapeHtml(call.state)}">${escapeHtml(call.state)}</span></td>
<td><span class="result ${resultClass(call)}" title="${escapeHtml(last?.error ?? '')}">${escapeHtml(resultText(call))}</span></td>
${cell(last ? `${last.latencyMs} ms` : '—', 'num')}
${cell(`${call.attemptCount}/${call.maxAttempts}`, 'num')}
<td class="actions"><button type="button" class="secondary small-button" data-replay="${call.id}">Replay</button></td>
</tr>`;
}

const PAGE_STYLE = `
  main.wide { max-width: 1440px; padding: 28px 28px 20px; }
  .head { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-end; justify-content: space-between; margin-bottom: 18px; }
  .head p { margin: 4px 0 0; }
  .toolbar { display: flex; gap: 12px; align-items: center; }
  .toolbar input { width: 260px; padding: 8px 12px; font-size: 14px; border-radius: 10px; }
  .toolbar label { margin: 0; font-weight: 500; font-size: 14px; display: flex; gap: 6px; align-items: center; white-space: nowrap; }
  .toolbar input[type=checkbox] { width: auto; accent-color: var(--vipps); }
  .live-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--ok); margin-right: 6px; vertical-align: middle; }
  .paused .live-dot { background: var(--muted); }
  .table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 14px; }
  table.calls { width: 100%; border-collapse: collapse; font-size: 14px; }
  .calls th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted); font-weight: 600;
    background: #faf7f5; padding: 10px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; position: sticky; top: 0; }
  .calls td { padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
  .calls tbody tr:last-child td { border-bottom: 0; }
  .calls tr[data-id]:hover td { background: #fcfaf9; }
  .calls tr[data-id] { cursor: pointer; }
  .calls tr.open td { background: var(--vipps-soft); }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
  .nowrap { white-space: nowrap; }
  .order { min-width: 120px; max-width: 220px; overflow-wrap: anywhere; } .kind { min-width: 84px; font-size: 13px; } .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  /* The URL takes whatever width is left, cut with an ellipsis (the full request is in the row's details). */
  .calls td.url { width: 100%; max-width: 0; min-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
  .method { font-weight: 700; color: var(--muted); }
  .state, .result { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; white-space: nowrap; }
  .state.delivered, .result.ok { background: var(--ok-soft); color: var(--ok); }
  .state.dead, .result.bad { background: var(--bad-soft); color: var(--bad); }
  .state.pending, .result.wait { background: var(--warn-soft); color: var(--warn); }
  .actions { text-align: right; }
  .calls button.small-button { display: inline-block; width: auto; margin: 0; padding: 6px 14px; font-size: 13px; }
  .detail td { background: #fcfaf9; padding: 14px 16px 18px; cursor: default; }
  /* Sticky and no wider than the viewport: on a narrow screen the table scrolls sideways, the details stay in view. */
  .detail-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; position: sticky; left: 16px;
    max-width: calc(100vw - 110px); }
  .detail h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted); margin: 0 0 6px; }
  .detail pre { margin: 0; padding: 10px 12px; background: #fff; border: 1px solid var(--line); border-radius: 10px; font-size: 12.5px;
    white-space: pre-wrap; word-break: break-all; max-height: 280px; overflow: auto; }
  .attempts { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
  .attempts li { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 8px 12px; font-size: 13px; }
  .empty { text-align: center; padding: 36px 0 28px; }
  #notice { min-height: 1.5em; margin: 10px 0 0; font-size: 14px; }
  @media (max-width: 760px) { main.wide { padding: 22px 14px 16px; } .detail-grid { grid-template-columns: 1fr; max-width: calc(100vw - 90px); } .toolbar input { width: 100%; } }
`;

/**
 * Every merchant's recent outbound calls, live: the table is rendered here (usable without JavaScript) and
 * re-rendered from /_kasse/sandbox/callbacks.json every two seconds; a row opens to show what was sent and each
 * attempt; Replay sends a call again. Client code writes data with textContent only.
 */
export function callbacksPage(view: CallbacksPageView): string {
  const rows = view.calls.map(rowHtml).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="theme-color" content="#ff5b24"><link rel="icon" href="data:,"><title>Callbacks · Kasse sandbox</title><style>${BASE_STYLE}${PAGE_STYLE}</style></head><body>
<header class="topbar"><span class="wordmark" aria-label="Vipps">vipps</span><span class="tag">Kasse sandbox</span></header>
<main class="wide">
<div class="head">
  <div><p class="eyebrow">Sandbox</p><h1>Callbacks</h1>
  <p class="muted small">Every call Kasse makes to merchants, newest first. Click a row for the request and each attempt.</p></div>
  <div class="toolbar">
    <input id="filter" type="search" placeholder="Filter: MSN, orderId, URL, state" aria-label="Filter">
    <label id="live-label"><input id="live" type="checkbox" checked><span><span class="live-dot"></span>Live</span></label>
  </div>
</div>
<div class="table-wrap"><table class="calls">
<thead><tr><th>Call</th><th>Time</th><th>MSN</th><th>Order</th><th>Kind</th><th>Request</th><th>State</th><th>Last result</th><th class="num">Latency</th><th class="num">Attempts</th><th></th></tr></thead>
<tbody id="rows">${rows}</tbody>
</table>
<p class="muted empty" id="empty" ${view.calls.length > 0 ? 'hidden' : ''}>No outbound calls yet. Approve a payment and its callback shows up here.</p>
</div>
<p class="muted" id="notice" role="status">Sandbox time <span id="now">${escapeHtml(fullTime(isoTimestamp(view.nowMs)))}</span> UTC</p>
</main>
<footer>Kasse sandbox · <a href="/_kasse/sandbox">Sandbox</a> · <a href="/_kasse/docs">API docs</a></footer>
<script>
(() => {
  const POLL_MS = ${CALLBACKS_POLL_MS};
  const tbody = document.getElementById('rows');
  const empty = document.getElementById('empty');
  const nowEl = document.getElementById('now');
  const notice = document.getElementById('notice');
  const filter = document.getElementById('filter');
  const live = document.getElementById('live');
  const liveLabel = document.getElementById('live-label');
  const open = new Set();
  let calls = null;
  let lastJson = '';
  let message = '';

  const DROPPED = ${scriptJson(DROPPED)};
  const fullTime = (iso) => String(iso).replace('T', ' ').replace(/\\.\\d+Z$/, '').replace(/Z$/, '');
  const shortTime = (iso) => fullTime(iso).slice(5);
  const lastOf = (call) => call.attempts[call.attempts.length - 1];
  const resultText = (call) => {
    const last = lastOf(call);
    if (!last) return call.state === 'pending' && call.delayed ? 'delayed (fault rule)' : 'not sent yet';
    if (last.httpStatus !== null) return 'HTTP ' + last.httpStatus;
    return last.error === DROPPED ? 'dropped (fault rule)' : last.error || 'no answer';
  };
  const resultClass = (call) => {
    const last = lastOf(call);
    if (!last) return 'wait';
    return last.httpStatus !== null && last.httpStatus >= 200 && last.httpStatus < 300 ? 'ok' : 'bad';
  };
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const td = (text, className) => el('td', className, text);
  const pill = (className, text) => { const cell = el('td'); cell.append(el('span', className, text)); return cell; };

  function row(call) {
    const tr = el('tr');
    tr.dataset.id = String(call.id);
    if (open.has(call.id)) tr.className = 'open';
    const last = lastOf(call);
    const time = last ? last.startedAt : call.createdAt;
    const id = el('td', 'nowrap'); id.append(el('span', 'mono', '#' + call.id));
    const when = td(shortTime(time), 'nowrap mono');
    when.title = fullTime(time) + ' UTC';
    const result = pill('result ' + resultClass(call), resultText(call));
    if (last && last.error) result.firstChild.title = last.error;
    const url = el('td', 'url');
    url.title = call.method + ' ' + call.url;
    url.append(el('span', 'method', call.method), document.createTextNode(' ' + call.url));
    const actions = el('td', 'actions');
    const replay = el('button', 'secondary small-button', 'Replay');
    replay.type = 'button';
    replay.dataset.replay = String(call.id);
    actions.append(replay);
    tr.append(
      id,
      when,
      td(call.merchantSerialNumber, 'mono'),
      td(call.orderId === null ? '—' : call.orderId, 'mono order'),
      td(call.kind.replace(/_/g, ' '), 'kind'),
      url,
      pill('state ' + call.state, call.state),
      result,
      td(last ? last.latencyMs + ' ms' : '—', 'num'),
      td(call.attemptCount + '/' + call.maxAttempts, 'num'),
      actions,
    );
    return tr;
  }

  function section(title, content) {
    const box = el('div');
    box.append(el('h3', '', title), content);
    return box;
  }

  function detail(call) {
    const tr = el('tr', 'detail');
    const cell = el('td');
    cell.colSpan = 11;
    const grid = el('div', 'detail-grid');
    const headers = Object.entries(call.headers).map(([name, value]) => name + ': ' + value).join('\\n');
    const request = call.method + ' ' + call.url + (headers ? '\\n' + headers : '') + '\\n\\n' +
      (call.body === null ? '(no body)' : typeof call.body === 'string' ? call.body : JSON.stringify(call.body, null, 2));
    const attempts = el('ul', 'attempts');
    for (const attempt of call.attempts) {
      const li = el('li');
      const outcome = attempt.httpStatus !== null ? 'HTTP ' + attempt.httpStatus : attempt.error || 'no answer';
      li.append(el('strong', '', 'Attempt ' + attempt.attemptNo + ' · ' + outcome), document.createTextNode(' · ' + fullTime(attempt.startedAt) + ' · ' + attempt.latencyMs + ' ms'));
      if (attempt.httpStatus !== null && attempt.error) li.append(el('div', 'muted', attempt.error));
      if (attempt.responseExcerpt) li.append(el('pre', '', attempt.responseExcerpt));
      attempts.append(li);
    }
    if (call.attempts.length === 0) {
      attempts.append(el('li', 'muted', call.state === 'pending' ? 'Not attempted yet; next attempt at ' + fullTime(call.nextAttemptAt) + (call.delayed ? ' (delayed by a sandbox fault rule)' : '') : 'No attempts.'));
    }
    grid.append(section('Request', el('pre', '', request)), section('Attempts', attempts));
    cell.append(grid);
    tr.append(cell);
    return tr;
  }

  function matches(call, text) {
    if (!text) return true;
    return [call.merchantSerialNumber, call.orderId || '', call.url, call.state, call.kind, '#' + call.id].some((v) => v.toLowerCase().includes(text));
  }

  function render() {
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

  function say(text) {
    message = text;
    showNow();
  }
  let now = nowEl.textContent;
  function showNow() {
    notice.replaceChildren(document.createTextNode('Sandbox time ' + now + ' UTC' + (message ? ' · ' + message : '')));
  }

  async function refresh() {
    try {
      const response = await fetch('/_kasse/sandbox/callbacks.json', { cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const data = await response.json();
      now = fullTime(data.now);
      showNow();
      const json = JSON.stringify(data.callbacks);
      if (json !== lastJson) {
        lastJson = json;
        calls = data.callbacks;
        render();
      }
    } catch (error) {
      say('could not refresh (' + error.message + ')');
    }
  }

  tbody.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-replay]');
    if (button) {
      event.stopPropagation();
      button.disabled = true;
      try {
        const response = await fetch('/_kasse/sandbox/callbacks/' + button.dataset.replay + '/replay', { method: 'POST' });
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new Error(Array.isArray(body) && body[0] ? body[0].errorMessage : 'HTTP ' + response.status);
        say('call #' + button.dataset.replay + ' replayed as #' + body.id);
        await refresh();
      } catch (error) {
        say('replay failed: ' + error.message);
      } finally {
        button.disabled = false;
      }
      return;
    }
    if (event.target.closest('.detail') || window.getSelection().toString()) return;
    const tr = event.target.closest('tr[data-id]');
    if (!tr) return;
    const id = Number(tr.dataset.id);
    if (open.has(id)) open.delete(id); else open.add(id);
    render();
  });

  filter.addEventListener('input', render);
  live.addEventListener('change', () => {
    liveLabel.classList.toggle('paused', !live.checked);
    if (live.checked) void refresh();
  });

  async function loop() {
    if (live.checked && !document.hidden) await refresh();
    setTimeout(loop, POLL_MS);
  }
  void refresh().then(() => setTimeout(loop, POLL_MS));
})();
</script>
</body></html>`;
}
