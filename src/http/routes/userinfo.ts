import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import { userinfo } from '../../core/express/userinfo.ts';
import { authenticate, checkMerchantSerialNumber } from '../../channels/ecomm-v2/authentication.ts';

/** The Userinfo API as ecomm merchants use it: the merchant's access token and the `sub` from /details. */
export function userinfoRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx, { subscriptionKeyRequired: false }));
    app.get(
      '/vipps-userinfo-api/userinfo/:sub',
      {
        schema: {
          tags: ['userinfo'],
          summary: 'The claims the user consented to share',
          params: Type.Object({ sub: Type.String({ minLength: 1, maxLength: 100 }) }),
        },
      },
      async (request) => userinfo(ctx, checkMerchantSerialNumber(request), request.params.sub),
    );
  };
}
