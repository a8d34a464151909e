import type { FastifyPluginAsync } from 'fastify';
import { sendVippsError } from '../errors.ts';

/**
 * eCom API v1 (`/ecomm/v1/…`) needs an agreement of its own; no merchant on Kasse has one. The real gateway then
 * answers as the FAQ's 401 checklist describes (keys valid, but not for this API product): 401 whatever the
 * credentials. The message says where the same calls are.
 */
export function ecommV1Routes(): FastifyPluginAsync {
  return async (app) => {
    app.all('/ecomm/v1/*', { schema: { hide: true } }, async (request, reply) =>
      sendVippsError(reply, request, 401, {
        errorGroup: 'Authentication',
        errorCode: '401',
        errorMessage:
          'Access denied: your subscription does not include the eCom API v1 (/ecomm/v1), which needs its own agreement; Kasse offers no merchant one. Use the same call under /ecomm/v2/ (API reference: /_kasse/docs).',
      }),
    );
  };
}
