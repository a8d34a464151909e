import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateApiCall, type AuthenticatedClient } from '../../core/auth/access-token.ts';
import type { AppContext } from '../../core/context.ts';
import { Refused } from '../../domain/refusals.ts';

declare module 'fastify' {
  interface FastifyRequest {
    client: AuthenticatedClient;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** "Bearer <token>"; the scheme is matched case-insensitively, as clients vary. */
function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

/** onRequest hook for the merchant API: authenticate before anything else, as the API gateway does. */
export function authenticate(ctx: AppContext, options: { subscriptionKeyRequired: boolean } = { subscriptionKeyRequired: true }) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.client = await authenticateApiCall(ctx, bearerToken(request), header(request, 'ocp-apim-subscription-key'), {
      ...options,
      merchantSerialNumber: header(request, 'merchant-serial-number'),
    });
    const { status } = request.client.salesUnit;
    if (status === 'blocked') throw new Refused('merchant_blocked');
    if (status === 'deactivated') throw new Refused('sales_unit_unavailable');
  };
}

/**
 * The MSN in the body and in the optional Merchant-Serial-Number header must be the keys' sales unit (for a partner's
 * keys: the unit the header named, which authentication already checked is the partner's).
 * Returns the MSN every query is then scoped to.
 */
export function checkMerchantSerialNumber(request: FastifyRequest, bodyMsn?: string | number): string {
  const own = request.client.salesUnit.msn;
  for (const presented of [header(request, 'merchant-serial-number'), bodyMsn]) {
    if (presented !== undefined && String(presented) !== own) {
      const advice =
        request.client.partnerId === null
          ? 'Check your API keys on portal.vipps.no and see the eCom FAQ for tips.'
          : 'This MSN is not valid for the provided supermerchant ID: merchantSerialNumber in the body must be the Merchant-Serial-Number header\'s.';
      throw new Refused('msn_not_for_keys', { detail: `Invalid MSN: ${String(presented)}. ${advice}` });
    }
  }
  return own;
}
