import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../app/context.ts';
import { resetSandbox } from '../../../app/sandbox/reset.ts';
import { createSandboxMerchant } from '../../../app/sandbox/sandbox-merchants.ts';
import { isoTimestamp } from '../../../domain/clock.ts';

export interface TimeTravel {
  /** Move the server's clock forward; returns the new now. */
  advance(ms: number): Promise<number>;
}

export interface BackgroundWork {
  /** Run all work that is due now (expiries, callbacks) until nothing more is. */
  drain(): Promise<void>;
}

const TAGS = ['sandbox'];

/** The sandbox contract (sandbox mode only, no auth), so every test can isolate itself. */
export function sandboxRoutes(ctx: AppContext, timeTravel: TimeTravel, work: BackgroundWork): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/_kasse/sandbox/merchants',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a merchant with one sales unit and its API keys',
          body: Type.Optional(
            Type.Object({
              captureType: Type.Optional(Type.Union([Type.Literal('reserve'), Type.Literal('direct')])),
              express: Type.Optional(Type.Boolean()),
              rateLimits: Type.Optional(Type.Boolean()),
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            }),
          ),
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const credentials = await createSandboxMerchant(ctx, {
          ...(body.captureType !== undefined ? { captureType: body.captureType } : {}),
          ...(body.express !== undefined ? { express: body.express } : {}),
          ...(body.rateLimits !== undefined ? { rateLimits: body.rateLimits } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
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
          body: Type.Object({ advanceMs: Type.Integer({ minimum: 0, maximum: 10 * 365 * 24 * 3_600_000 }) }),
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

    app.post('/_kasse/sandbox/reset', { schema: { tags: TAGS, summary: 'Delete all data' } }, async () => {
      await resetSandbox(ctx);
      return { reset: true };
    });
  };
}
