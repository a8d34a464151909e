import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { NotFoundError } from '../../../core/merchants/sales-units.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import { registerWebSessionAuth } from '../../web/session-auth.ts';
import { auditLogPage } from './audit-log-page.ts';
import { CONSOLE, sendConsoleMessage } from './console-page.ts';
import { merchantsPages } from './merchants-page.ts';
import { partnersPages } from './partners-page.ts';
import { salesUnitPage } from './sales-unit-page.ts';

/**
 * The operator's console at /console (the KAM's desk): log-in with the portal's protections
 * (src/http/web/session-auth.ts: scrypt, lockout, database sessions, CSRF), then merchants and sales units with every
 * operator setting, keys, partners and their keys, and the audit log. Every change goes through the use cases the operator API and the CLI
 * use, audited as the logged-in operator. Its errors are pages: bad input 400 naming the field, unknown 404.
 */
export function consoleRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    await registerWebSessionAuth(app, ctx, CONSOLE);
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof InvalidRequestError) return sendConsoleMessage(reply, 400, `Check ${error.field}`, error.message);
      if (error instanceof NotFoundError) return sendConsoleMessage(reply, 404, 'Not found', error.message);
      throw error;
    });
    merchantsPages(app, ctx);
    salesUnitPage(app, ctx);
    partnersPages(app, ctx);
    auditLogPage(app, ctx);
  };
}
