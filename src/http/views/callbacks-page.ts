import { DROPPED_BY_FAULT, type OutboundCallView } from '../../core/callbacks/inspect.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { CALLBACKS_POLL_MS, fullTime, rowCells } from '../../shared/callback-view.ts';
import type { OutboundCallView as SharedCallView } from '../../shared/view-models.ts';
import { renderPage } from '../web/templates.ts';

export interface CallbacksPageView {
  nowMs: number;
  calls: OutboundCallView[];
}

/**
 * Every merchant's recent outbound calls (web/templates/callbacks.eta): rendered here, usable without JavaScript,
 * and kept live by web/src/callbacks.ts, which words each row with the same shared functions.
 */
export function callbacksPage(view: CallbacksPageView): string {
  const calls: SharedCallView[] = view.calls;
  return renderPage('callbacks', {
    dropped: DROPPED_BY_FAULT,
    pollMs: CALLBACKS_POLL_MS,
    now: fullTime(isoTimestamp(view.nowMs)),
    rows: calls.map((call) => ({ callId: call.id, ...rowCells(call, DROPPED_BY_FAULT) })),
  });
}
