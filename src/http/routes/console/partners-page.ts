import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import {
  attachSalesUnit,
  createPartner,
  createPartnerKey,
  detachSalesUnit,
  listPartnersWithUnits,
  partnerDetails,
  revokePartnerKey,
} from '../../../core/merchants/partners.ts';
import { listMerchantsWithUnits } from '../../../core/merchants/sales-units.ts';
import { readAuditLog } from '../../../core/operators/audit.ts';
import { auditRows } from './audit-log-page.ts';
import { issuedAmong, issuedKeyFlash, type IssuedKey } from '../../web/shown-once-flash.ts';
import { CONSOLE, operatorOf, savedAndBack, savedNotice, sendConsolePage, utcText, type ConsoleOperator } from './console-page.ts';
import { FormFields } from './form-fields.ts';
import { unitRow } from './merchants-page.ts';

type Params = { partnerId: string };

/** What each saved form says after the redirect back to the partner's page (`?done=`). */
const DONE: Record<string, string> = {
  created: 'Partner created. Attach the sales units it acts for, then create a key.',
  attached: 'Sales unit attached: the partner’s keys may act for it from now on.',
  'already-attached': 'That sales unit was already attached.',
  detached: 'Sales unit detached: the partner’s keys are refused for it from now on.',
  'key-revoked': 'Key revoked: calls with it are refused from now on.',
};

const PARTNER_NAME_MAX = 200;

/**
 * GET /console/partners: every partner (an e-commerce platform or integrator whose keys act for several sales units,
 * each call naming one in `Merchant-Serial-Number`) and a form to add one. GET /console/partners/{id}: the sales
 * units it acts for (attach, detach), its key sets (create: the secrets shown once; revoke) and its history. Each
 * form posts to its own route, which goes through the use case the operator API and CLI use, audited as this operator.
 */
export function partnersPages(app: FastifyInstance, ctx: AppContext): void {
  const pageOf = (partnerId: string) => `/console/partners/${encodeURIComponent(partnerId)}`;
  const issuedKeys = issuedKeyFlash(ctx, CONSOLE);

  app.get('/console/partners', { schema: { hide: true } }, async (request, reply) => {
    const partners = await listPartnersWithUnits(ctx);
    return sendConsolePage(reply, operatorOf(request), {
      template: 'partners',
      current: 'partners',
      title: 'Partners & partner keys',
      data: {
        partners: partners.map((p) => ({ id: p.id, name: p.name, href: pageOf(p.id), created: utcText(p.created_at_ms), salesUnits: p.salesUnits })),
        nameMax: PARTNER_NAME_MAX,
      },
    });
  });

  app.post('/console/partners', { schema: { hide: true } }, async (request, reply) => {
    const partner = await createPartner(ctx, operatorOf(request).actor, { name: new FormFields(request).requiredText('name', PARTNER_NAME_MAX) });
    return savedAndBack(reply, pageOf(partner.id), 'created');
  });

  async function sendPartnerPage(reply: FastifyReply, operator: ConsoleOperator, partnerId: string, extra: { done?: string | undefined; issued: IssuedKey | null }) {
    const [partner, merchants, audit] = await Promise.all([
      partnerDetails(ctx, partnerId),
      listMerchantsWithUnits(ctx),
      readAuditLog(ctx, { subject: partnerId, limit: 20 }),
    ]);
    const action = (path: string) => `${pageOf(partner.id)}/${path}`;
    const attached = new Set(partner.salesUnits.map((unit) => unit.msn));
    const issuedHere = issuedAmong(extra.issued, partner.keys.map((key) => key.client_id));
    return sendConsolePage(reply, operator, {
      template: 'partner',
      current: 'partners',
      title: partner.name,
      data: {
        id: partner.id,
        name: partner.name,
        facts: [
          ['Partner id', partner.id],
          ['Created', utcText(partner.created_at_ms)],
        ],
        done: savedNotice(DONE, extra.done),
        issued: issuedHere && { ...issuedHere, heading: `New key for partner ${partner.name}.` },
        units: partner.salesUnits.map((unit) => ({ ...unitRow(unit), detachAction: action(`sales-units/${encodeURIComponent(unit.msn)}/detach`) })),
        attachable: merchants.flatMap((merchant) =>
          merchant.salesUnits.filter((unit) => !attached.has(unit.msn)).map((unit) => ({ msn: unit.msn, label: `${unit.msn} · ${unit.name} (${merchant.name})` })),
        ),
        keys: partner.keys.map((key) => ({
          clientId: key.client_id,
          created: utcText(key.created_at_ms),
          revoked: key.revoked_at_ms === null ? null : utcText(key.revoked_at_ms),
          revokeAction: action(`keys/${encodeURIComponent(key.client_id)}/revoke`),
        })),
        actions: { attach: action('sales-units'), createKey: action('keys') },
        audit: auditRows(audit),
        auditHref: `/console/audit-log?subject=${encodeURIComponent(partner.id)}`,
      },
    });
  }

  app.get<{ Params: Params; Querystring: { done?: string } }>('/console/partners/:partnerId', { schema: { hide: true } }, async (request, reply) =>
    sendPartnerPage(reply, operatorOf(request), request.params.partnerId, { done: request.query.done, issued: issuedKeys.take(request, reply) }),
  );

  app.post<{ Params: Params }>('/console/partners/:partnerId/sales-units', { schema: { hide: true } }, async (request, reply) => {
    const { partnerId } = request.params;
    const msn = new FormFields(request).requiredText('msn', 6);
    const result = await attachSalesUnit(ctx, operatorOf(request).actor, partnerId, msn);
    return savedAndBack(reply, pageOf(partnerId), result.attached ? 'attached' : 'already-attached');
  });

  app.post<{ Params: Params & { msn: string } }>('/console/partners/:partnerId/sales-units/:msn/detach', { schema: { hide: true } }, async (request, reply) => {
    const { partnerId, msn } = request.params;
    await detachSalesUnit(ctx, operatorOf(request).actor, partnerId, msn);
    return savedAndBack(reply, pageOf(partnerId), 'detached');
  });

  app.post<{ Params: Params }>('/console/partners/:partnerId/keys', { schema: { hide: true } }, async (request, reply) => {
    const { partnerId } = request.params;
    const issued = await createPartnerKey(ctx, operatorOf(request).actor, partnerId);
    return issuedKeys.redirectShowingOnce(request, reply, pageOf(partnerId), issued);
  });

  app.post<{ Params: Params & { clientId: string } }>('/console/partners/:partnerId/keys/:clientId/revoke', { schema: { hide: true } }, async (request, reply) => {
    const { partnerId, clientId } = request.params;
    await revokePartnerKey(ctx, operatorOf(request).actor, partnerId, clientId);
    return savedAndBack(reply, pageOf(partnerId), 'key-revoked');
  });
}
