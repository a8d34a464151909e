import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { AuthError, issueAccessToken } from '../../core/auth/access-token.ts';
import type { AppContext } from '../../core/context.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { authErrorMessage } from '../errors.ts';
import { Type } from 'typebox';
import { AccessTokenResponse } from '../../channels/ecomm-v2/schemas.ts';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /accesstoken/get`. Failures answer 401 in the shapes the real gateway uses: the API-management
 * object for subscription-key problems, the Azure AD object for a bad client id or secret.
 */
/** Failures the API gateway answers (its {statusCode, message} object), before Azure AD sees the client. */
const SUBSCRIPTION_KEY_FAILURES = new Set<AuthError['failure']>(['missing_subscription_key', 'invalid_subscription_key', 'subscription_key_of_other_sales_unit']);

export function accessTokenRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/accesstoken/get',
      { schema: { tags: ['access token'], summary: 'Fetch an access token (a POST without a body)', response: { 200: AccessTokenResponse, 401: Type.Unknown() } } },
      async (request, reply) => {
        try {
          return await issueAccessToken(ctx, {
            clientId: header(request.headers['client_id']),
            clientSecret: header(request.headers['client_secret']),
            subscriptionKey: header(request.headers['ocp-apim-subscription-key']),
          });
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          const message = authErrorMessage(error);
          if (SUBSCRIPTION_KEY_FAILURES.has(error.failure)) {
            return reply.code(401).send({ statusCode: 401, message });
          }
          const timestamp = isoTimestamp(ctx.clock.nowMs()).replace('T', ' ').slice(0, 19) + 'Z';
          const unknownClient = error.failure === 'unknown_client';
          return reply.code(401).send({
            error: unknownClient ? 'unauthorized_client' : 'invalid_client',
            error_description: `${unknownClient ? 'AADSTS70001' : 'AADSTS7000215'}: ${message}\r\nTrace ID: ${request.id}\r\nTimestamp: ${timestamp}`,
            error_codes: unknownClient ? [70001] : [70002, 50012],
            timestamp,
            trace_id: request.id,
            correlation_id: randomUUID(),
          });
        }
      },
    );
  };
}
