import type { FastifyReply, FastifyRequest } from 'fastify';
import { merchantScope, type MerchantScope } from '../../../core/portal/scope.ts';
import { isPortalRole, roleMay, type PortalPermission, type PortalRole } from '../../../core/portal/roles.ts';
import { CSRF_FIELD, sendUncachedPage, sendWebMessage, sessionOf, type WebFrontEnd } from '../../web/session-auth.ts';
import type { AppContext } from '../../../core/context.ts';

export const PORTAL: WebFrontEnd = { kind: 'merchant', basePath: '/portal', cookieName: 'kasse_portal', title: 'Merchant portal' };

/** What every portal route knows about the person asking: their merchant's sales units and their role. */
export interface PortalUser {
  scope: MerchantScope;
  role: PortalRole;
  email: string;
  csrf: string;
}

/** A role that may not do this: 403 with the portal's page, never a hint of what is there. */
export class PortalForbiddenError extends Error {}

export async function portalUserOf(ctx: AppContext, request: FastifyRequest, permission: PortalPermission): Promise<PortalUser> {
  const { account, session } = sessionOf(request);
  if (account.merchant_id === null || !isPortalRole(account.role)) throw new PortalForbiddenError('not a portal user');
  if (!roleMay(account.role, permission)) throw new PortalForbiddenError(`${account.role} may not ${permission}`);
  return { scope: await merchantScope(ctx, account.merchant_id), role: account.role, email: account.email, csrf: session.csrf_token };
}

const NAV: { id: string; href: string; label: string; permission: PortalPermission }[] = [
  { id: 'dashboard', href: '/portal', label: 'Dashboard', permission: 'viewPayments' },
  { id: 'transactions', href: '/portal/transactions', label: 'Transactions', permission: 'viewPayments' },
  { id: 'api-calls', href: '/portal/api-calls', label: 'API calls', permission: 'viewIntegration' },
  { id: 'checklist', href: '/portal/checklist', label: 'Integration checklist', permission: 'viewIntegration' },
  { id: 'sales-units', href: '/portal/sales-units', label: 'Sales units & keys', permission: 'viewSalesUnits' },
  { id: 'settlements', href: '/portal/settlements', label: 'Settlements', permission: 'viewSettlements' },
  { id: 'reports', href: '/portal/reports', label: 'Transaction reports', permission: 'manageReports' },
  { id: 'users', href: '/portal/users', label: 'Users', permission: 'manageUsers' },
];

/** A portal page: its template with the navigation this role sees, the CSRF token for its forms, never cached. */
export function sendPortalPage(reply: FastifyReply, user: PortalUser, page: { template: string; current: string; title: string; data: object }) {
  return sendUncachedPage(reply, 200, `portal/${page.template}`, {
    ...page.data,
    title: page.title,
    shell: {
      merchantName: user.scope.merchantName,
      email: user.email,
      role: user.role,
      csrfField: CSRF_FIELD,
      csrf: user.csrf,
      nav: NAV.filter((item) => roleMay(user.role, item.permission)).map((item) => ({ ...item, current: item.id === page.current })),
    },
  });
}

export function sendPortalMessage(reply: FastifyReply, status: number, heading: string, message: string) {
  return sendWebMessage(reply, PORTAL, status, heading, message);
}
