import { portalActor } from '../../../core/operators/audit.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { createApiKey, listKeys, revokeKey, rotateKey } from '../../../core/merchants/api-keys.ts';
import { ownUnit } from '../../../core/portal/scope.ts';
import { roleMay } from '../../../core/portal/roles.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import { issuedAmong, issuedKeyFlash, type IssuedKey } from '../../web/shown-once-flash.ts';
import { PORTAL, portalUserOf, sendPortalPage, type PortalUser } from './portal-page.ts';

type KeyParams = { msn: string; clientId: string };

async function renderUnits(ctx: AppContext, reply: FastifyReply, user: PortalUser, issued: IssuedKey | null) {
  const canManageKeys = roleMay(user.role, 'manageKeys');
  const units = await Promise.all(
    user.scope.units.map(async (unit) => ({
      msn: unit.msn,
      name: unit.name,
      captureType: unit.capture_type === 'reserve' ? 'Reserve, then capture' : 'Direct capture (SALE)',
      express: unit.express_allowed === 1 ? 'Allowed' : 'Not allowed',
      status: unit.status,
      statusTone: unit.status === 'active' ? 'ok' : 'bad',
      createAction: `/portal/sales-units/${unit.msn}/keys`,
      keys: canManageKeys
        ? (await listKeys(ctx, unit.msn)).map((key) => ({
            clientId: key.client_id,
            created: isoTimestamp(key.created_at_ms).slice(0, 16).replace('T', ' '),
            revoked: key.revoked_at_ms === null ? null : isoTimestamp(key.revoked_at_ms).slice(0, 16).replace('T', ' '),
            rotateAction: `/portal/sales-units/${unit.msn}/keys/${key.client_id}/rotate`,
            revokeAction: `/portal/sales-units/${unit.msn}/keys/${key.client_id}/revoke`,
          }))
        : [],
    })),
  );
  // Shown under the heading of the unit whose key it is; a key of none of this user's units is not shown.
  const owner = units.find((unit) => issuedAmong(issued, unit.keys.map((key) => key.clientId)));
  const shown = issued && owner ? { ...issued, heading: `New key for sales unit ${owner.msn}.` } : null;
  return sendPortalPage(reply, user, { template: 'sales-units', current: 'sales-units', title: 'Sales units & keys', data: { units, canManageKeys, issued: shown } });
}

/**
 * GET /portal/sales-units: each sales unit's capture type (only the operator changes it), express, status, and for
 * those who manage keys its API keys; POST …/keys creates a key, …/rotate replaces one, …/revoke ends one, and each
 * redirects back. A new key's secrets are shown once, on the page that redirect lands on (shown-once-flash.ts):
 * Kasse keeps their hashes.
 */
export function salesUnitsPage(app: FastifyInstance, ctx: AppContext): void {
  const issuedKeys = issuedKeyFlash(ctx, PORTAL);
  app.get('/portal/sales-units', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewSalesUnits');
    return renderUnits(ctx, reply, user, issuedKeys.take(request, reply));
  });

  app.post<{ Params: { msn: string } }>('/portal/sales-units/:msn/keys', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageKeys');
    const unit = ownUnit(user.scope, request.params.msn);
    const issued = await createApiKey(ctx, portalActor(user.email), unit.msn);
    return issuedKeys.redirectShowingOnce(request, reply, '/portal/sales-units', issued);
  });

  app.post<{ Params: KeyParams }>('/portal/sales-units/:msn/keys/:clientId/rotate', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageKeys');
    const unit = ownUnit(user.scope, request.params.msn);
    const issued = await rotateKey(ctx, portalActor(user.email), unit.msn, request.params.clientId);
    return issuedKeys.redirectShowingOnce(request, reply, '/portal/sales-units', issued);
  });

  app.post<{ Params: KeyParams }>('/portal/sales-units/:msn/keys/:clientId/revoke', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'manageKeys');
    const unit = ownUnit(user.scope, request.params.msn);
    await revokeKey(ctx, portalActor(user.email), unit.msn, request.params.clientId);
    return reply.redirect('/portal/sales-units', 303);
  });
}
