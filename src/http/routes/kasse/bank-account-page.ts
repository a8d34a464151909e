import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../core/context.ts';
import { bankAccountOf } from '../../../channels/report/bank-account.ts';
import { formatNok } from '../../../shared/money-text.ts';
import { renderPage } from '../../web/templates.ts';

/**
 * Sandbox page: a sales unit's simulated bank account, the payouts arriving (day 3) and booked (day 5) as the sandbox
 * clock moves. Like the other sandbox pages it needs no keys (sandbox mode only); the same data is at
 * `GET /_kasse/settlements/bank-account` with the merchant's keys.
 */
export function bankAccountPage(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/_kasse/sandbox/bank-accounts/:msn',
      { schema: { hide: true, params: Type.Object({ msn: Type.String({ pattern: '^\\d{5,6}$' }) }) } },
      async (request, reply) => {
        const account = await bankAccountOf(ctx, request.params.msn);
        return reply.type('text/html; charset=utf-8').send(
          renderPage('bank-account', {
            msn: request.params.msn,
            accountId: account.account.id,
            balance: formatNok(account.bookedBalance),
            rows: account.transfers.map((t) => ({ ...t, amountText: formatNok(t.amount), bookedAt: t.bookedAt ?? '—' })),
          }),
        );
      },
    );
  };
}
