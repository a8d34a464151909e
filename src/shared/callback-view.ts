/** How the callbacks page words a call: the server's first render and the browser's live table share these. */
import type { OutboundCallView } from './view-models.ts';

/** Refresh period of the live table. */
export const CALLBACKS_POLL_MS = 2000;

/** "2026-01-05T10:00:03.123Z" → "2026-01-05 10:00:03" (sandbox time, UTC). */
export function fullTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '');
}

/** The table's compact form: "01-05 10:00:03". */
export function shortTime(iso: string): string {
  return fullTime(iso).slice(5);
}

export function lastAttempt(call: OutboundCallView) {
  return call.attempts.at(-1);
}

/** `dropped` is the error text the dispatcher records for a call a sandbox fault rule dropped. */
export function resultText(call: OutboundCallView, dropped: string): string {
  const last = lastAttempt(call);
  if (!last) return call.state === 'pending' && call.delayed ? 'delayed (fault rule)' : 'not sent yet';
  if (last.httpStatus !== null) return `HTTP ${last.httpStatus}`;
  return last.error === dropped ? 'dropped (fault rule)' : (last.error ?? 'no answer');
}

export function resultClass(call: OutboundCallView): 'wait' | 'ok' | 'bad' {
  const last = lastAttempt(call);
  if (!last) return 'wait';
  return last.httpStatus !== null && last.httpStatus >= 200 && last.httpStatus < 300 ? 'ok' : 'bad';
}

/** The cells every row shows, in order, as text. */
export function rowCells(call: OutboundCallView, dropped: string) {
  const last = lastAttempt(call);
  const time = last?.startedAt ?? call.createdAt;
  return {
    id: `#${call.id}`,
    time: shortTime(time),
    timeTitle: `${fullTime(time)} UTC`,
    msn: call.merchantSerialNumber,
    order: call.orderId ?? '—',
    kind: call.kind.replace(/_/g, ' '),
    request: `${call.method} ${call.url}`,
    state: call.state,
    result: resultText(call, dropped),
    resultClass: resultClass(call),
    resultTitle: last?.error ?? '',
    latency: last ? `${last.latencyMs} ms` : '—',
    attempts: `${call.attemptCount}/${call.maxAttempts}`,
  };
}
