import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../core/auth/access-token.ts';
import { Refused } from '../../domain/refusals.ts';

/** An RFC 7807 problem, the Report API's `default` error body. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, status: number, title: string, detail: string): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: `https://developer.vippsmobilepay.com/docs/APIs/report-api/api-guide/errors`, title, status, detail, instance: request.url });
}

/** A bad query parameter is the client's fault: 400 naming it. */
export class BadReportRequest extends Error {}

/**
 * The Report API's errors as its spec shows them: 401 `{code, message}` for keys and tokens (also for a blocked or
 * deactivated sales unit, whose keys no longer open anything), problem+json for bad requests and unknown ledgers,
 * and the server's handler for the rest, to which Fastify passes what this one rethrows (a 500 is a Kasse bug).
 */
export function reportErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AuthError || (error instanceof Refused && (error.reason === 'merchant_blocked' || error.reason === 'sales_unit_unavailable'))) {
    return reply.code(401).send({ code: 'Unauthorized', message: 'Please check your API keys' });
  }
  // A partner's keys without, or with a foreign, Merchant-Serial-Number: forbidden, in this API's problem body.
  if (error instanceof Refused && error.reason === 'msn_not_for_keys') return sendProblem(reply, request, 403, 'Forbidden', error.message);
  if (error instanceof BadReportRequest) return sendProblem(reply, request, 400, 'Bad Request', error.message);
  const validation = (error as FastifyError).validation;
  if (validation) return sendProblem(reply, request, 400, 'Bad Request', (error as FastifyError).message);
  throw error;
}
