import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../core/context.ts';
import type {} from '@fastify/cookie';
import { appSessionOf, type AppSession } from '../core/user-app/sign-in.ts';
import { APP_ERROR_GROUP, APP_ERRORS, APP_SESSION_MINUTES, type AppErrorCode } from '../shared/app-sign-in.ts';

/** The app's session cookie: only the app's pages and API get it. */
export const APP_SESSION_COOKIE = 'kasse_app_session';
const COOKIE_PATH = '/_kasse/app';
/** The session's CSRF token travels in this header on every state-changing app API call. */
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Signing in has no session to bind a token to; it needs this header instead. A page on another site cannot send a
 * custom header without a CORS preflight, which Kasse never grants, so it cannot sign a visitor in to its own account.
 */
export const SIGN_IN_HEADER = 'x-kasse-app';

declare module 'fastify' {
  interface FastifyRequest {
    appSession: AppSession | null;
  }
}

export function sessionCookieOptions(ctx: AppContext) {
  return {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    // Browsers drop Secure cookies over plain http (a laptop's localhost): Secure wherever Kasse is served over https.
    secure: ctx.config.publicUrl.startsWith('https://'),
    maxAge: APP_SESSION_MINUTES * 60,
  };
}

export function setSessionCookie(ctx: AppContext, reply: FastifyReply, token: string): void {
  reply.setCookie(APP_SESSION_COOKIE, token, sessionCookieOptions(ctx));
}

export function clearSessionCookie(ctx: AppContext, reply: FastifyReply): void {
  reply.clearCookie(APP_SESSION_COOKIE, { ...sessionCookieOptions(ctx), maxAge: 0 });
}

export function sendAppError(reply: FastifyReply, request: FastifyRequest, status: number, code: AppErrorCode): FastifyReply {
  return reply
    .code(status)
    .type('application/json;charset=UTF-8')
    .send([{ errorGroup: APP_ERROR_GROUP, errorCode: code, errorMessage: APP_ERRORS[code], contextId: request.id }]);
}

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * preHandler of every app API route that acts for a user: a live session (401 otherwise) and, on anything but
 * GET, the session's CSRF token in the X-CSRF-Token header (403 otherwise). Runs after validation, so bad input is
 * still 400 naming the field.
 */
export function requireAppSession(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await appSessionOf(ctx, request.cookies[APP_SESSION_COOKIE]);
    if (!session) return sendAppError(reply, request, 401, 'not_signed_in');
    if (request.method !== 'GET' && !sameSecret(headerOf(request, CSRF_HEADER), session.csrfToken)) return sendAppError(reply, request, 403, 'csrf');
    request.appSession = session;
  };
}

export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The signed-in user, for handlers behind requireAppSession. */
export function signedIn(request: FastifyRequest): AppSession {
  if (!request.appSession) throw new Error('app route without requireAppSession');
  return request.appSession;
}
