import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { inTransaction } from '../../../core/transaction.ts';
import { createPortalUser, portalUsers, type PortalLogin } from '../../../core/portal/portal-users.ts';
import { isPortalRole, PORTAL_ROLES } from '../../../core/portal/roles.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import type { FastifyReply } from 'fastify';
import { shownOnceFlash } from '../../web/shown-once-flash.ts';
import { PORTAL, portalUserOf, sendPortalPage, type PortalUser } from './portal-page.ts';

const ROLE_TEXT = {
  admin: 'Everything, and the users.',
  developer: 'Transactions, callbacks and replay, sales units and API keys, API calls and the integration checklist. No settlements, no reports.',
  accountant: 'Transactions and exports, sales units, settlements, transaction reports. No keys, no replay, no API calls.',
} as const;

type NewUser = PortalLogin & { role: string };

async function renderUsers(ctx: AppContext, reply: FastifyReply, user: PortalUser, created: NewUser | null) {
  const users = await portalUsers(ctx, user.scope.merchantId);
  return sendPortalPage(reply, user, {
    template: 'users',
    current: 'users',
    title: 'Users',
    data: {
      created,
      roles: PORTAL_ROLES.map((role) => ({ role, text: ROLE_TEXT[role] })),
      users: users.map((u) => ({ ...u, created: isoTimestamp(u.createdAtMs).slice(0, 10), locked: u.lockedUntilMs !== null && u.lockedUntilMs > ctx.clock.nowMs() })),
    },
  });
}

/**
 * GET /portal/users (admins): the merchant's portal users and their roles; POST adds one and redirects back, where its
 * password is shown once (shown-once-flash.ts).
 */
export function usersPage(app: FastifyInstance, ctx: AppContext): void {
  const newUsers = shownOnceFlash<NewUser>(ctx, PORTAL, 'new_user');
  app.get('/portal/users', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageUsers');
    return renderUsers(ctx, reply, user, newUsers.take(request, reply));
  });

  app.post<{ Body: { email?: string; role?: string } }>('/portal/users', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageUsers');
    const role = request.body?.role ?? '';
    if (!isPortalRole(role)) throw new InvalidRequestError('role', `role must be one of ${PORTAL_ROLES.join(', ')}`);
    const created = await inTransaction(ctx, ({ trx, nowMs }) => createPortalUser(trx, nowMs, { merchantId: user.scope.merchantId, email: request.body?.email ?? '', role }));
    return newUsers.redirectShowingOnce(request, reply, '/portal/users', { portalEmail: created.portalEmail, portalPassword: created.portalPassword, role: created.role });
  });
}
