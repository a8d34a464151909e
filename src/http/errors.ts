import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { InvalidRequestError, Refused } from '../domain/refusals.ts';
import { ERRORS, ecommErrorOf, type ErrorGroup } from '../channels/ecomm-v2/error-catalogue.ts';
import { AuthError } from '../core/auth/access-token.ts';
import { NotFoundError } from '../core/merchants/sales-units.ts';
import { answerAfterDraining } from './oversized-body.ts';

export interface VippsErrorItem {
  errorGroup: ErrorGroup;
  errorCode: string;
  errorMessage: string;
  contextId: string;
}

export function sendVippsError(
  reply: FastifyReply,
  request: FastifyRequest,
  httpStatus: number,
  item: Omit<VippsErrorItem, 'contextId'>,
): FastifyReply {
  // contextId is the request id, which every log line of this request carries too.
  const body: VippsErrorItem[] = [{ ...item, contextId: request.id }];
  return reply.code(httpStatus).type('application/json;charset=UTF-8').send(body);
}

const AUTH_MESSAGES: Record<AuthError['failure'], string> = {
  missing_subscription_key:
    'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  invalid_subscription_key:
    'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  subscription_key_of_other_sales_unit:
    'The subscription key is valid, but it belongs to another sales unit than the client_id (or access token) it was sent with. Send the Ocp-Apim-Subscription-Key issued together with that client_id.',
  unknown_client: 'Unknown client_id.',
  invalid_client_secret: 'Invalid client_secret.',
  invalid_token: 'Access token is missing, invalid or issued for other keys.',
  expired_token: 'Access token has expired. Fetch a new one from /accesstoken/get.',
};

export function authErrorMessage(error: AuthError): string {
  return AUTH_MESSAGES[error.failure];
}

/** JSON Pointer of the offending value → the dotted field name Vipps uses as errorCode. */
function fieldOf(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'body';
  const segments = first.instancePath.split('/').filter(Boolean);
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  if (missing !== undefined) segments.push(missing);
  if (error.validationContext === 'headers' || error.validationContext === 'params') {
    return segments.join('.') || error.validationContext;
  }
  return segments.join('.') || 'body';
}

function validationMessage(error: FastifyError, field: string): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  if ((first.params as { missingProperty?: string }).missingProperty !== undefined) return `${field} is required`;
  return `${field} ${first.message ?? 'is invalid'}`;
}

/**
 * One place turns every failure into the Vipps error body: business errors with their own status,
 * bad input as 400 InvalidRequest naming the field, and anything unexpected as 500 VippsError 99
 * (logged with the contextId — a 500 is always a Kasse bug).
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
  if (error instanceof Refused) {
    const { group, code, httpStatus, message } = ecommErrorOf(error);
    return sendVippsError(reply, request, httpStatus, { errorGroup: group, errorCode: code, errorMessage: message });
  }
  if (error instanceof InvalidRequestError) {
    return sendVippsError(reply, request, 400, { errorGroup: 'InvalidRequest', errorCode: error.field, errorMessage: error.message });
  }
  if (error instanceof AuthError) {
    return sendVippsError(reply, request, 401, { errorGroup: 'Authentication', errorCode: '401', errorMessage: authErrorMessage(error) });
  }
  if (error instanceof NotFoundError) {
    return sendVippsError(reply, request, 404, { errorGroup: 'InvalidRequest', errorCode: 'id', errorMessage: error.message });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const field = fieldOf(fastifyError);
    return sendVippsError(reply, request, 400, {
      errorGroup: 'InvalidRequest',
      errorCode: field,
      errorMessage: validationMessage(fastifyError, field),
    });
  }
  if (fastifyError.statusCode === 413) {
    return answerAfterDraining(request, reply, () =>
      sendVippsError(reply, request, 413, { errorGroup: 'InvalidRequest', errorCode: 'body', errorMessage: fastifyError.message }),
    );
  }
  // Malformed JSON, unparseable bodies, bad media types: the client's fault, never a 500.
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return sendVippsError(reply, request, 400, { errorGroup: 'InvalidRequest', errorCode: 'body', errorMessage: fastifyError.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  const internal = ERRORS.internal_error;
  return sendVippsError(reply, request, internal.httpStatus, {
    errorGroup: internal.group,
    errorCode: internal.code,
    errorMessage: internal.message,
  });
}

/**
 * Fastify's clientErrorHandler: requests Node's HTTP parser refuses before any route sees them (broken framing, bad
 * request line, headers over the size limit) get the Vipps error body too. Statuses and socket handling are fastify's.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431 ? 'The request headers are too large.' : status === 408 ? 'The request was not completed in time.' : 'The request is not valid HTTP.';
  const body = JSON.stringify([{ errorGroup: 'InvalidRequest', errorCode: 'request', errorMessage: message, contextId: randomUUID() }]);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json;charset=UTF-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** RFC 9112 §3.2: an HTTP/1.1 request without Host is refused with 400 (and the connection closed), as Node would. */
export async function refuseHostless(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.headers.host !== undefined || request.raw.httpVersion !== '1.1') return undefined;
  reply.header('connection', 'close');
  return sendVippsError(reply, request, 400, { errorGroup: 'InvalidRequest', errorCode: 'host', errorMessage: 'An HTTP/1.1 request needs a Host header.' });
}

/** RFC 9110 §10.1.1: an expectation the server cannot meet (anything but 100-continue) is answered with 417. */
export function answerUnknownExpectation(request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify([
    { errorGroup: 'InvalidRequest', errorCode: 'expect', errorMessage: 'Only "Expect: 100-continue" is supported.', contextId: randomUUID() },
  ]);
  response.writeHead(417, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  response.end(body);
  request.resume();
}
