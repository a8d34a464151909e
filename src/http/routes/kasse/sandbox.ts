import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../core/context.ts';
import { resetSandbox } from '../../../core/sandbox/reset.ts';
import { seedSandboxFixtures, seededUsers } from '../../../core/sandbox/fixtures.ts';
import { createSandboxMerchant, restoreDemoMerchant } from '../../../core/sandbox/sandbox-merchants.ts';
import { SANDBOX_ACTOR } from '../../../core/operators/audit.ts';
import { restoreSandboxOperator } from '../../../core/sandbox/sandbox-operator.ts';
import { banks, createUser, listUsers, saveBank, userWithCards } from '../../../core/users/sandbox-users.ts';
import { sandboxPage } from '../../views/sandbox-page.ts';
import { MobileNumber, MsisdnParams, SandboxClockBody, SandboxMerchantBody } from '../../schemas/user-side.ts';

/** Optional request fields arrive as absent, never as undefined values (exactOptionalPropertyTypes). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
import { isoTimestamp } from '../../../domain/clock.ts';

export interface TimeTravel {
  /** Move the server's clock forward; returns the new now. */
  advance(ms: number): Promise<number>;
  /** Undo all time travel (the sandbox reset); returns the new now. */
  backToRealTime(): Promise<number>;
}

export interface BackgroundWork {
  /** Run all work that is due now (expiries, callbacks) until nothing more is. */
  drain(): Promise<void>;
}

const TAGS = ['sandbox'];

/** The sandbox contract (sandbox mode only, no auth), so every test can isolate itself. */
export function sandboxRoutes(ctx: AppContext, timeTravel: TimeTravel, work: BackgroundWork): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/_kasse/sandbox', { schema: { hide: true } }, async (_request, reply) => {
      const nowMs = ctx.clock.nowMs();
      const [users, bankRows] = await Promise.all([listUsers(ctx), banks(ctx)]);
      const html = sandboxPage({
        nowMs,
        users: users.filter((u) => u !== null),
        shows: new Map(seededUsers(nowMs).map((u) => [u.msisdn, u.shows])),
        banks: bankRows,
      });
      return reply.type('text/html; charset=utf-8').send(html);
    });

    app.post(
      '/_kasse/sandbox/merchants',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a merchant with one sales unit and its API keys',
          body: Type.Optional(SandboxMerchantBody),
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const credentials = await createSandboxMerchant(ctx, SANDBOX_ACTOR, {
          ...(body.captureType !== undefined ? { captureType: body.captureType } : {}),
          ...(body.express !== undefined ? { express: body.express } : {}),
          ...(body.rateLimits !== undefined ? { rateLimits: body.rateLimits } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.kind !== undefined ? { kind: body.kind } : {}),
          ...(body.vippsNumber !== undefined ? { vippsNumber: body.vippsNumber } : {}),
          settlement: {
            ...(body.feeBasisPoints !== undefined ? { feeBasisPoints: body.feeBasisPoints } : {}),
            ...(body.feeFixedOre !== undefined ? { feeFixedOre: body.feeFixedOre } : {}),
            ...(body.settlementType !== undefined ? { settlementType: body.settlementType } : {}),
            ...(body.payoutFrequency !== undefined ? { payoutFrequency: body.payoutFrequency } : {}),
          },
        });
        return reply.code(201).send(credentials);
      },
    );

    app.post(
      '/_kasse/sandbox/clock',
      {
        schema: {
          tags: TAGS,
          summary: 'Move the clock forward, run all work that became due, then answer',
          body: SandboxClockBody,
        },
      },
      async (request) => {
        await timeTravel.advance(request.body.advanceMs);
        await work.drain();
        return { now: isoTimestamp(ctx.clock.nowMs()) };
      },
    );

    app.get('/_kasse/sandbox/clock', { schema: { tags: TAGS, summary: "The server's current time" } }, async () => ({
      now: isoTimestamp(ctx.clock.nowMs()),
    }));

    const CardSpec = Type.Object({
      id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
      label: Type.Optional(Type.String({ maxLength: 50 })),
      brand: Type.Optional(Type.Union([Type.Literal('VISA'), Type.Literal('MASTERCARD')])),
      bin: Type.Optional(Type.Integer({ minimum: 100000, maximum: 999999 })),
      last4: Type.Optional(Type.String({ pattern: '^\\d{4}$' })),
      expiryMonth: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
      bankId: Type.Optional(Type.String({ maxLength: 40 })),
      availableOre: Type.Optional(Type.Integer({ minimum: -2_147_483_647, maximum: 100_000_000_000 })),
      maxAmountOre: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
      state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('replaced'), Type.Literal('blocked')])),
      isDefault: Type.Optional(Type.Boolean()),
    });

    app.post(
      '/_kasse/sandbox/users',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a test user with cards',
          body: Type.Object({
            msisdn: MobileNumber,
            firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            email: Type.Optional(Type.String({ maxLength: 100 })),
            bankIdVerified: Type.Optional(Type.Boolean()),
            stepUpLimitOre: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
            appVersion: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+){0,2}$' })),
            canPayBusinesses: Type.Optional(Type.Boolean()),
            birthDate: Type.Optional(Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()])),
            cards: Type.Optional(Type.Array(CardSpec, { maxItems: 10 })),
          }),
        },
      },
      async (request, reply) => reply.code(201).send(await createUser(ctx, withoutUndefined(request.body))),
    );

    app.get('/_kasse/sandbox/users', { schema: { tags: TAGS, summary: 'Test users with their cards' } }, async () => listUsers(ctx));

    app.get(
      '/_kasse/sandbox/users/:msisdn',
      { schema: { tags: TAGS, summary: 'One test user with cards and balances', params: MsisdnParams } },
      async (request, reply) => {
        const user = await userWithCards(ctx, request.params.msisdn);
        return user ?? reply.code(404).send({ error: 'no such test user' });
      },
    );

    app.post(
      '/_kasse/sandbox/banks',
      {
        schema: {
          tags: TAGS,
          summary: 'Create or change a simulated bank',
          body: Type.Object({
            id: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            holdDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
            forceThrough: Type.Optional(Type.Boolean()),
            refundArrivalBankDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })),
          }),
        },
      },
      async (request, reply) => reply.code(201).send(await saveBank(ctx, withoutUndefined(request.body))),
    );

    app.get('/_kasse/sandbox/banks', { schema: { tags: TAGS, summary: 'Simulated banks' } }, async () => banks(ctx));

    app.post(
      '/_kasse/sandbox/reset',
      { schema: { tags: TAGS, summary: 'Delete all data, set the clock back to real time, re-seed the fixtures, the demo merchant and the sandbox operator' } },
      async () => {
        await resetSandbox(ctx);
        // Before re-seeding: the fixtures and the demo merchant are created at real time, not in the travelled future.
        const nowMs = await timeTravel.backToRealTime();
        await seedSandboxFixtures(ctx);
        await restoreDemoMerchant(ctx);
        await restoreSandboxOperator(ctx);
        return { reset: true, now: isoTimestamp(nowMs) };
      },
    );
  };
}
