import type { FastifyPluginAsync } from 'fastify';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import type { AppContext } from '../../../core/context.ts';
import { NotFoundError } from '../../../core/merchants/sales-units.ts';
import { InvalidRequestError, Refused } from '../../../domain/refusals.ts';
import { registerWebSessionAuth } from '../../web/session-auth.ts';
import { apiCallsPage } from './api-calls-page.ts';
import { checklistPage } from './checklist-page.ts';
import { dashboardPage } from './dashboard-page.ts';
import { paymentPage } from './payment-page.ts';
import { PORTAL, PortalForbiddenError, sendPortalMessage } from './portal-page.ts';
import { reportsPage } from './reports-page.ts';
import { salesUnitsPage } from './sales-units-page.ts';
import { settlementsPage } from './settlements-page.ts';
import { transactionsPage } from './transactions-page.ts';
import { usersPage } from './users-page.ts';

/**
 * The merchant portal at /portal: log-in (src/http/web/session-auth.ts), then the dashboard, transactions, one
 * payment, the API calls and the integration checklist, sales units and keys, settlements, transaction reports and
 * users, each scoped to the logged-in user's merchant and role. The recorder (null when recording is off) is
 * flushed by the pages that read recorded calls, so they show the call just made.
 * Its errors are pages: bad input 400 naming the field, another merchant's anything 404 exactly like a missing one,
 * a role that may not 403.
 */
export function portalRoutes(ctx: AppContext, recorder: ApiCallRecorder | null): FastifyPluginAsync {
  return async (app) => {
    await registerWebSessionAuth(app, ctx, PORTAL);
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof InvalidRequestError) return sendPortalMessage(reply, 400, `Check ${error.field}`, error.message);
      if (error instanceof NotFoundError || (error instanceof Refused && error.reason === 'order_not_found')) {
        return sendPortalMessage(reply, 404, 'Not found', 'There is nothing here for your company.');
      }
      if (error instanceof PortalForbiddenError) return sendPortalMessage(reply, 403, 'Not for your role', 'Your role may not open this page. Ask an admin of your company.');
      throw error;
    });
    dashboardPage(app, ctx);
    transactionsPage(app, ctx);
    paymentPage(app, ctx);
    apiCallsPage(app, ctx, recorder);
    checklistPage(app, ctx, recorder);
    salesUnitsPage(app, ctx);
    settlementsPage(app, ctx);
    reportsPage(app, ctx);
    usersPage(app, ctx);
  };
}
