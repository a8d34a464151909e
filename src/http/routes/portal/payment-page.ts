import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { portalPayment, replayPortalCallback } from '../../../core/portal/payment.ts';
import { roleMay } from '../../../core/portal/roles.ts';
import { formatNok } from '../../../shared/money-text.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';
import { paymentHref } from './links.ts';
import { utcSecondText } from './time-text.ts';
import { stateBadge } from './transactions-page.ts';

type Params = { msn: string; orderId: string };

function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * GET /portal/payments/{msn}/{orderId}: the amounts, the whole operation log, the user's side masked, every outbound
 * call of the order with each attempt's request and answer; POST …/callbacks/{id}/replay sends a call again.
 */
export function paymentPage(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: Params; Querystring: { replayed?: string } }>('/portal/payments/:msn/:orderId', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewPayments');
    const { msn, orderId } = request.params;
    const view = await portalPayment(ctx, user.scope, msn, orderId);
    const { payment } = view;
    const base = paymentHref(msn, orderId);
    return sendPortalPage(reply, user, {
      template: 'payment',
      current: 'transactions',
      title: `Order ${orderId}`,
      data: {
        orderId,
        msn,
        replayed: request.query.replayed ?? null,
        canReplay: roleMay(user.role, 'replayCallbacks'),
        state: stateBadge(payment.state, payment.refunded_ore),
        amounts: [
          ['Amount', formatNok(payment.amount_ore)],
          ['Reserved', formatNok(payment.reserved_ore)],
          ['Captured', formatNok(payment.captured_ore)],
          ['Refunded', formatNok(payment.refunded_ore)],
          ['Released', formatNok(payment.released_ore)],
          ['Capture type', payment.capture_type],
          ['Transaction text', payment.transaction_text],
          ['Created', utcSecondText(payment.created_at_ms)],
        ],
        userSide: [
          ['Phone number', view.userSide.phone ?? '—'],
          ['Name', view.userSide.name ?? '—'],
          ['E-mail', view.userSide.email ?? '—'],
          ['User id', view.userSide.userId ?? '—'],
          ['Card', view.userSide.card ?? '—'],
          ['Shipping', view.userSide.shipping ?? '—'],
        ],
        personalDataExpired: view.userSide.personalDataExpired,
        log: view.log.map((op) => ({
          ...op,
          at: utcSecondText(op.atMs),
          amount: formatNok(op.amountOre),
          tone: op.succeeded ? 'ok' : 'bad',
        })),
        callbacks: view.callbacks.map((call) => ({
          id: call.id,
          replayAction: `${base}/callbacks/${call.id}/replay`,
          kind: call.kind,
          request: `${call.method} ${call.url}`,
          created: utcSecondText(call.createdAt),
          state: call.state,
          tone: call.state === 'delivered' ? 'ok' : call.state === 'dead' ? 'bad' : 'wait',
          headers: pretty(call.headers),
          body: call.body === null ? '(no body)' : pretty(call.body),
          attempts: call.attempts.map((a) => ({
            no: a.attemptNo,
            started: utcSecondText(a.startedAt),
            latency: `${a.latencyMs} ms`,
            answer: a.httpStatus === null ? `no answer: ${a.error ?? 'unknown'}` : `HTTP ${a.httpStatus}`,
            tone: a.httpStatus !== null && a.httpStatus >= 200 && a.httpStatus < 300 ? 'ok' : 'bad',
            excerpt: a.responseExcerpt ?? '',
          })),
        })),
      },
    });
  });

  app.post<{ Params: Params & { id: string } }>('/portal/payments/:msn/:orderId/callbacks/:id/replay', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'replayCallbacks');
    const { msn, orderId, id } = request.params;
    const copy = await replayPortalCallback(ctx, user.scope, msn, /^\d{1,15}$/.test(id) ? Number(id) : -1);
    return reply.redirect(`${paymentHref(msn, orderId)}?replayed=${copy.id}`, 303);
  });
}
