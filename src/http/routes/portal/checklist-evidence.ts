import type { Evidence } from '../../../core/checklist/integration-checklist.ts';
import { formatNok } from '../../../shared/money-text.ts';
import { apiCallsHref, paymentHref } from './links.ts';
import { utcSecondText } from './time-text.ts';

/** One piece of a checklist item's evidence on the page: what it is, and where the portal shows it in full. */
export interface EvidenceLine {
  text: string;
  at: string | null;
  href: string | null;
  linkText: string;
}

/**
 * Evidence as a line with its link: a recorded call to the API dashboard filtered to its order (or its endpoint), a
 * payment, an operation or a call Kasse made to the shop to that order's payment page.
 */
export function evidenceLineOf(msn: string, evidence: Evidence): EvidenceLine {
  const payment = (orderId: string | null) => (orderId === null ? null : paymentHref(msn, orderId));
  switch (evidence.kind) {
    case 'api_call':
      return {
        text: `${evidence.method} ${evidence.route} → ${evidence.status}${evidence.orderId ? ` for ${evidence.orderId}` : ''}${evidence.requestId ? `, X-Request-Id ${evidence.requestId}` : ''}`,
        at: utcSecondText(evidence.atMs),
        href: evidence.orderId === null ? apiCallsHref({ msn, endpoint: `${evidence.method} ${evidence.route}` }) : apiCallsHref({ msn, orderId: evidence.orderId }),
        linkText: evidence.orderId === null ? 'the calls' : 'the calls of this order',
      };
    case 'endpoint':
      return {
        text: `${evidence.method} ${evidence.route}: ${evidence.calls} successful ${evidence.calls === 1 ? 'call' : 'calls'}`,
        at: utcSecondText(evidence.lastAtMs),
        href: apiCallsHref({ msn, endpoint: `${evidence.method} ${evidence.route}` }),
        linkText: 'the calls',
      };
    case 'operation':
      return {
        text: `${formatNok(evidence.amountOre)} on ${evidence.orderId}, ${evidence.requestId === null ? 'no X-Request-Id' : `X-Request-Id ${evidence.requestId}`}`,
        at: utcSecondText(evidence.atMs),
        href: payment(evidence.orderId),
        linkText: 'the payment',
      };
    case 'payment':
      return { text: `${evidence.orderId}, now ${evidence.state}`, at: utcSecondText(evidence.atMs), href: payment(evidence.orderId), linkText: 'the payment' };
    case 'order_id':
      return { text: evidence.orderId, at: null, href: payment(evidence.orderId), linkText: 'the payment' };
    case 'merchant_call': {
      const answer = evidence.httpStatus === null ? `no answer${evidence.error ? `: ${evidence.error}` : ''}` : `HTTP ${evidence.httpStatus}`;
      const latency = evidence.latencyMs === null ? '' : ` in ${evidence.latencyMs} ms`;
      return {
        text: `Kasse's ${evidence.callKind}${evidence.callbackStatus ? ` (${evidence.callbackStatus})` : ''}${evidence.orderId ? ` for ${evidence.orderId}` : ''}: ${answer}${latency}`,
        at: utcSecondText(evidence.atMs),
        href: payment(evidence.orderId),
        linkText: 'the payment and its callbacks',
      };
    }
  }
}
