import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { API_TOKEN_ACTOR } from '../../../core/operators/audit.ts';
import { Type } from 'typebox';
import type { AppContext } from '../../../core/context.ts';
import {
  attachSalesUnit,
  createPartner,
  createPartnerKey,
  detachSalesUnit,
  listPartnerKeySets,
  listPartnersWithUnits,
  revokePartnerKey,
} from '../../../core/merchants/partners.ts';

const TAGS = ['operator'];
const PartnerParams = Type.Object({ partnerId: Type.String({ maxLength: 64 }) });

/**
 * Partners and their keys, registered inside the operator API (so behind its bearer token). A partner's key acts for
 * the sales units attached to it; every call with it names one in the Merchant-Serial-Number header.
 */
export function partnerAdminRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/_kasse/admin/partners', { schema: { tags: TAGS, summary: 'Partners with the MSNs attached to them' } }, async () => listPartnersWithUnits(ctx));

    app.post(
      '/_kasse/admin/partners',
      { schema: { tags: TAGS, summary: 'Create a partner', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }) } },
      async (request, reply) => reply.code(201).send(await createPartner(ctx, API_TOKEN_ACTOR, { name: request.body.name })),
    );

    app.post(
      '/_kasse/admin/partners/:partnerId/sales-units',
      {
        schema: {
          tags: TAGS,
          summary: 'Attach a sales unit: the partner’s keys may then act for it',
          params: PartnerParams,
          body: Type.Object({ msn: Type.String({ pattern: '^\\d{5,6}$' }) }),
        },
      },
      async (request, reply) => reply.code(201).send(await attachSalesUnit(ctx, API_TOKEN_ACTOR, request.params.partnerId, request.body.msn)),
    );

    app.delete(
      '/_kasse/admin/partners/:partnerId/sales-units/:msn',
      {
        schema: {
          tags: TAGS,
          summary: 'Detach a sales unit from the partner',
          params: Type.Object({ partnerId: Type.String({ maxLength: 64 }), msn: Type.String({ pattern: '^\\d{5,6}$' }) }),
        },
      },
      async (request, reply) => {
        await detachSalesUnit(ctx, API_TOKEN_ACTOR, request.params.partnerId, request.params.msn);
        return reply.code(204).send();
      },
    );

    app.post(
      '/_kasse/admin/partners/:partnerId/keys',
      { schema: { tags: TAGS, summary: 'Issue partner keys (secrets are shown once)', params: PartnerParams } },
      async (request, reply) => reply.code(201).send(await createPartnerKey(ctx, API_TOKEN_ACTOR, request.params.partnerId)),
    );

    app.get(
      '/_kasse/admin/partners/:partnerId/keys',
      { schema: { tags: TAGS, summary: 'List partner keys (no secrets)', params: PartnerParams } },
      async (request) => listPartnerKeySets(ctx, request.params.partnerId),
    );

    app.delete(
      '/_kasse/admin/partners/:partnerId/keys/:clientId',
      {
        schema: {
          tags: TAGS,
          summary: 'Revoke a partner key',
          params: Type.Object({ partnerId: Type.String({ maxLength: 64 }), clientId: Type.String({ maxLength: 64 }) }),
        },
      },
      async (request, reply) => {
        await revokePartnerKey(ctx, API_TOKEN_ACTOR, request.params.partnerId, request.params.clientId);
        return reply.code(204).send();
      },
    );
  };
}
