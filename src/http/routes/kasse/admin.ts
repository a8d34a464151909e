import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { timingSafeEqual } from 'node:crypto';
import { SettlementTermsBody } from '../../schemas/settlement-terms.ts';
import { Type } from 'typebox';
import { createApiKey, listKeys, revokeKey } from '../../../core/merchants/api-keys.ts';
import {
  createMerchant,
  createSalesUnit,
  listMerchantsWithUnits,
  NotFoundError,
  setCaptureType,
  setSettlementTerms,
  setSalesUnitOptions,
  setSalesUnitStatus,
} from '../../../core/merchants/sales-units.ts';
import type { AppContext } from '../../../core/context.ts';
import { reconcile } from '../../../core/reconcile/reconcile.ts';
import { sha256Hex } from '../../../core/auth/secrets.ts';
import { API_TOKEN_ACTOR, AUDIT_PAGE_MAX, readAuditLog } from '../../../core/operators/audit.ts';
import { sendVippsError } from '../../errors.ts';
import { SalesUnitKindFields } from '../../schemas/sales-unit-kind.ts';
import { partnerAdminRoutes } from './admin-partners.ts';
import { InvalidRequestError } from '../../../domain/refusals.ts';
import { changePin, createUser, userWithCards } from '../../../core/users/sandbox-users.ts';
import { MsisdnParams, OperatorPinBody, OperatorUserBody } from '../../schemas/user-side.ts';

import { withoutUndefined } from '../../request-values.ts';

const TAGS = ['operator'];
const Msn = Type.Object({ msn: Type.String({ pattern: '^\\d{5,6}$' }) });
const CaptureType = Type.Union([Type.Literal('reserve'), Type.Literal('direct')]);

function tokenMatches(presented: string | undefined, expectedSha256: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(presented ?? '');
  if (!match?.[1]) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(match[1]), 'hex'), Buffer.from(expectedSha256, 'hex'));
}

/** The operator API: merchants, sales units, keys, capture type and status. Bearer KASSE_ADMIN_TOKEN. */
export function adminRoutes(ctx: AppContext, adminToken: string): FastifyPluginAsyncTypebox {
  const expected = sha256Hex(adminToken);
  // Whoever holds the token: the audit log records every change made through this API as the token's.
  const by = API_TOKEN_ACTOR;
  return async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      if (!tokenMatches(request.headers.authorization, expected)) {
        return sendVippsError(reply, request, 401, {
          errorGroup: 'Authentication',
          errorCode: '401',
          errorMessage: 'The operator API needs Authorization: Bearer <KASSE_ADMIN_TOKEN>',
        });
      }
    });

    app.get('/_kasse/admin/merchants', { schema: { tags: TAGS, summary: 'Merchants with their sales units' } }, async () =>
      listMerchantsWithUnits(ctx),
    );

    app.post(
      '/_kasse/admin/merchants',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a merchant',
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), orgNumber: Type.Optional(Type.String({ pattern: '^\\d{9}$' })) }),
        },
      },
      async (request, reply) => reply.code(201).send(await createMerchant(ctx, by, { name: request.body.name, orgNumber: request.body.orgNumber ?? null })),
    );

    app.post(
      '/_kasse/admin/merchants/:merchantId/sales-units',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a sales unit (MSN)',
          params: Type.Object({ merchantId: Type.String({ maxLength: 64 }) }),
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 200 }),
            msn: Type.Optional(Type.String({ pattern: '^\\d{5,6}$' })),
            captureType: Type.Optional(CaptureType),
            express: Type.Optional(Type.Boolean()),
            skipLandingPage: Type.Optional(Type.Boolean()),
            ninScope: Type.Optional(Type.Boolean()),
            rateLimits: Type.Optional(Type.Boolean()),
            callbackMaxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
            ...SalesUnitKindFields,
            testUnit: Type.Optional(Type.Boolean({ description: 'A test sales unit: deactivated when unused for KASSE_IDLE_TEST_DAYS (production mode)' })),
          }),
        },
      },
      async (request, reply) => {
        const { name, msn, captureType, express, skipLandingPage, ninScope, rateLimits, callbackMaxAttempts, kind, vippsNumber, testUnit } = request.body;
        const unit = await createSalesUnit(ctx, by, request.params.merchantId, {
          name,
          ...(msn !== undefined ? { msn } : {}),
          ...(captureType !== undefined ? { captureType } : {}),
          ...(express !== undefined ? { express } : {}),
          ...(skipLandingPage !== undefined ? { skipLandingPage } : {}),
          ...(ninScope !== undefined ? { ninScope } : {}),
          ...(rateLimits !== undefined ? { rateLimits } : {}),
          ...(callbackMaxAttempts !== undefined ? { callbackMaxAttempts } : {}),
          ...(kind !== undefined ? { kind } : {}),
          ...(vippsNumber !== undefined ? { vippsNumber } : {}),
          ...(testUnit !== undefined ? { testUnit } : {}),
        });
        return reply.code(201).send(unit);
      },
    );

    app.post(
      '/_kasse/admin/sales-units/:msn/keys',
      { schema: { tags: TAGS, summary: 'Issue API keys (secrets are shown once)', params: Msn } },
      async (request, reply) => reply.code(201).send(await createApiKey(ctx, by, request.params.msn)),
    );

    app.get('/_kasse/admin/sales-units/:msn/keys', { schema: { tags: TAGS, summary: 'List API keys (no secrets)', params: Msn } }, async (request) =>
      listKeys(ctx, request.params.msn),
    );

    app.delete(
      '/_kasse/admin/sales-units/:msn/keys/:clientId',
      { schema: { tags: TAGS, summary: 'Revoke an API key', params: Type.Object({ msn: Type.String(), clientId: Type.String({ maxLength: 64 }) }) } },
      async (request, reply) => {
        await revokeKey(ctx, by, request.params.msn, request.params.clientId);
        return reply.code(204).send();
      },
    );

    app.put(
      '/_kasse/admin/sales-units/:msn/capture-type',
      { schema: { tags: TAGS, summary: 'Set reserve or direct capture', params: Msn, body: Type.Object({ captureType: CaptureType }) } },
      async (request) => setCaptureType(ctx, by, request.params.msn, request.body.captureType),
    );

    app.put(
      '/_kasse/admin/sales-units/:msn/settlement',
      { schema: { tags: TAGS, summary: 'Set fees, net or gross settlement and payout frequency', params: Msn, body: SettlementTermsBody } },
      async (request) => setSettlementTerms(ctx, by, request.params.msn, request.body),
    );

    app.patch(
      '/_kasse/admin/sales-units/:msn',
      {
        schema: {
          tags: TAGS,
          summary: 'Change sales-unit options',
          params: Msn,
          body: Type.Object({
            express: Type.Optional(Type.Boolean()),
            skipLandingPage: Type.Optional(Type.Boolean()),
            ninScope: Type.Optional(Type.Boolean()),
            rateLimits: Type.Optional(Type.Boolean()),
            callbackMaxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
            ...SalesUnitKindFields,
            testUnit: Type.Optional(Type.Boolean()),
          }),
        },
      },
      async (request) => {
        const { express, skipLandingPage, ninScope, rateLimits, callbackMaxAttempts, kind, vippsNumber, testUnit } = request.body;
        return setSalesUnitOptions(ctx, by, request.params.msn, {
          ...(express !== undefined ? { express } : {}),
          ...(skipLandingPage !== undefined ? { skipLandingPage } : {}),
          ...(ninScope !== undefined ? { ninScope } : {}),
          ...(rateLimits !== undefined ? { rateLimits } : {}),
          ...(callbackMaxAttempts !== undefined ? { callbackMaxAttempts } : {}),
          ...(kind !== undefined ? { kind } : {}),
          ...(vippsNumber !== undefined ? { vippsNumber } : {}),
          ...(testUnit !== undefined ? { testUnit } : {}),
        });
      },
    );

    await app.register(partnerAdminRoutes(ctx));
    app.get(
      '/_kasse/admin/audit-log',
      {
        schema: {
          tags: TAGS,
          summary: 'Every operator action (who, what, before, after, when), newest first',
          querystring: Type.Object({
            subject: Type.Optional(Type.String({ maxLength: 200, description: 'An MSN, merchant id or operator email' })),
            before: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,14}$', description: 'Entries older than this id (paging)' })),
            limit: Type.Optional(Type.String({ pattern: '^[1-9]\\d{0,2}$', description: `How many, newest first (1–${AUDIT_PAGE_MAX}, default 50)` })),
          }),
        },
      },
      async (request) => {
        const { subject, before, limit } = request.query;
        if (limit !== undefined && Number(limit) > AUDIT_PAGE_MAX) throw new InvalidRequestError('limit', `limit must be between 1 and ${AUDIT_PAGE_MAX}`);
        const entries = await readAuditLog(ctx, {
          subject,
          beforeId: before === undefined ? undefined : Number(before),
          limit: limit === undefined ? undefined : Number(limit),
        });
        return { entries };
      },
    );

    // Users of the app. In production the only way a user comes to exist: with a PIN, cards on a bank, an address.
    app.post(
      '/_kasse/admin/users',
      { schema: { tags: TAGS, summary: 'Create an app user with a PIN and cards', body: OperatorUserBody } },
      async (request, reply) => {
        const { pin, ...user } = request.body;
        return reply.code(201).send(await createUser(ctx, withoutUndefined(user), pin));
      },
    );

    app.get('/_kasse/admin/users/:msisdn', { schema: { tags: TAGS, summary: 'An app user with cards and balances', params: MsisdnParams } }, async (request) => {
      const user = await userWithCards(ctx, request.params.msisdn);
      if (!user) throw new NotFoundError(`No user with ${request.params.msisdn}`);
      return user;
    });

    app.put(
      '/_kasse/admin/users/:msisdn/pin',
      { schema: { tags: TAGS, summary: "Set a user's PIN (clears the lockout, ends their sessions)", params: MsisdnParams, body: OperatorPinBody } },
      async (request) => changePin(ctx, request.params.msisdn, request.body.pin),
    );

    app.get('/_kasse/admin/reconcile', { schema: { tags: TAGS, summary: 'Check every invariant over the whole database' } }, async () =>
      reconcile(ctx.store),
    );

    for (const [action, status] of [
      ['deactivate', 'deactivated'],
      ['block', 'blocked'],
      ['reactivate', 'active'],
    ] as const) {
      app.post(`/_kasse/admin/sales-units/:msn/${action}`, { schema: { tags: TAGS, summary: `Set status ${status}`, params: Msn } }, async (request) =>
        setSalesUnitStatus(ctx, by, request.params.msn, status),
      );
    }
  };
}
