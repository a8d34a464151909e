import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import { Type } from 'typebox';
import type { AppContext } from '../../../core/context.ts';
import { resetSandbox } from '../../../core/sandbox/reset.ts';
import { seedSandboxFixtures, seededUsers, shownPins } from '../../../core/sandbox/fixtures.ts';
import { createSandboxMerchant, restoreDemoMerchant } from '../../../core/sandbox/sandbox-merchants.ts';
import { SANDBOX_ACTOR } from '../../../core/operators/audit.ts';
import { restoreSandboxOperator } from '../../../core/sandbox/sandbox-operator.ts';
import { banks, createUser, listUsers, saveBank, userWithCards } from '../../../core/users/sandbox-users.ts';
import { sandboxPage } from '../../views/sandbox-page.ts';
import { MsisdnParams, SandboxClockBody, SandboxMerchantBody, SandboxUserBody } from '../../schemas/user-side.ts';

import { withoutUndefined } from '../../request-values.ts';
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
export function sandboxRoutes(ctx: AppContext, timeTravel: TimeTravel, work: BackgroundWork, apiCalls: ApiCallRecorder | null): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/_kasse/sandbox', { schema: { hide: true } }, async (_request, reply) => {
      const nowMs = ctx.clock.nowMs();
      const [users, bankRows] = await Promise.all([listUsers(ctx), banks(ctx)]);
      const present = users.filter((u) => u !== null);
      const html = sandboxPage({
        nowMs,
        users: present,
        pins: await shownPins(ctx, present.map((u) => u.msisdn)),
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

    app.post(
      '/_kasse/sandbox/users',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a test user with cards',
          body: SandboxUserBody,
        },
      },
      async (request, reply) => {
        const { pin, ...user } = request.body;
        return reply.code(201).send(await createUser(ctx, withoutUndefined(user), pin ?? null));
      },
    );

    app.get('/_kasse/sandbox/users', { schema: { tags: TAGS, summary: 'Test users with their cards and app PIN (null: none, sign in with the number)' } }, async () => {
      const users = (await listUsers(ctx)).filter((u) => u !== null);
      const pins = await shownPins(ctx, users.map((u) => u.msisdn));
      return users.map((user) => (pins.has(user.msisdn) ? { ...user, pin: pins.get(user.msisdn) } : user));
    });

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
        // Calls recorded before the reset are written first, so the reset empties them too instead of leaving them behind.
        await apiCalls?.flush();
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
