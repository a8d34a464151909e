import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { EXPORT_MAX_ROWS, PAGE_SIZE, searchOf, transactionPage, transactionsForExport, type TransactionFilterInput } from '../../../core/portal/transactions.ts';
import { PAYMENT_STATES } from '../../../domain/payment-states.ts';
import { osloDateOf } from '../../../domain/bank-calendar.ts';
import { formatNok } from '../../../shared/money-text.ts';
import { paymentHref } from './links.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';
import { transactionsCsv, transactionsXlsx } from './transaction-export.ts';
import { isoTimestamp } from '../../../domain/clock.ts';

type Query = TransactionFilterInput & { after?: string };
const FILTER_FIELDS = ['msn', 'orderId', 'status', 'minAmount', 'maxAmount', 'from', 'to'] as const;

/** The filter as a query string (for the next page and the export links), without the empty fields. */
function filterQuery(query: Query, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = query[field]?.trim();
    if (value) params.set(field, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function stateBadge(state: string, refundedOre: number): { text: string; tone: string } {
  if (state === 'captured' && refundedOre > 0) return { text: 'captured, refunded', tone: 'wait' };
  const tone = state === 'captured' || state === 'reserved' ? 'ok' : state === 'initiated' ? 'wait' : state === 'failed' || state === 'rejected' ? 'bad' : '';
  return { text: state, tone };
}

/**
 * GET /portal/transactions: search by sales unit, orderId, status, amount range (kroner) and Oslo date range, 50 a
 * page by keyset; the same filter as CSV or XLSX.
 */
export function transactionsPage(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Query }>('/portal/transactions', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewPayments');
    const query = request.query;
    const page = await transactionPage(ctx, user.scope, query, query.after);
    return sendPortalPage(reply, user, {
      template: 'transactions',
      current: 'transactions',
      title: 'Transactions',
      data: {
        filter: Object.fromEntries(FILTER_FIELDS.map((f) => [f, query[f] ?? ''])),
        units: user.scope.units.map((u) => ({ msn: u.msn, name: u.name })),
        statuses: PAYMENT_STATES,
        pageSize: PAGE_SIZE,
        exportMax: EXPORT_MAX_ROWS.toLocaleString('en'),
        firstPage: query.after !== undefined ? `/portal/transactions${filterQuery(query)}` : null,
        nextPage: page.next === null ? null : `/portal/transactions${filterQuery(query, { after: page.next })}`,
        csv: `/portal/transactions.csv${filterQuery(query)}`,
        xlsx: `/portal/transactions.xlsx${filterQuery(query)}`,
        rows: page.rows.map((row) => ({
          href: paymentHref(row.msn, row.order_id),
          orderId: row.order_id,
          msn: row.msn,
          created: `${osloDateOf(row.created_at_ms)} ${isoTimestamp(row.created_at_ms).slice(11, 16)} UTC`,
          amount: formatNok(row.amount_ore),
          captured: formatNok(row.captured_ore),
          refunded: formatNok(row.refunded_ore),
          state: stateBadge(row.state, row.refunded_ore),
          text: row.transaction_text,
        })),
      },
    });
  });

  for (const [extension, type, render] of [
    ['csv', 'text/csv; charset=utf-8', transactionsCsv],
    ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', transactionsXlsx],
  ] as const) {
    app.get<{ Querystring: Query }>(`/portal/transactions.${extension}`, { schema: { hide: true } }, async (request, reply) => {
      const user = await portalUserOf(ctx, request, 'exportPayments');
      searchOf(user.scope, request.query); // bad input is a 400 before the download starts
      const name = `transactions-${osloDateOf(ctx.clock.nowMs())}.${extension}`;
      return reply
        .type(type)
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(render(transactionsForExport(ctx, user.scope, request.query)));
    });
  }
}
