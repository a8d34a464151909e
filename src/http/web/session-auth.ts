import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { logIn, LOGIN_LOCKOUT } from '../../core/web-accounts/accounts.ts';
import { csrfTokenMatches, currentSession, endSession, SESSION_MAX_MS, type LiveSession } from '../../core/web-accounts/sessions.ts';
import type { AppContext } from '../../core/context.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import type { WebAccountKind } from '../../store/schema.ts';
import { renderPage } from './templates.ts';

/** One web front end with its own log-in: the merchant portal (/portal), the operator console (/console). */
export interface WebFrontEnd {
  kind: WebAccountKind;
  /** Every route of the front end is under it; its cookies are sent only there. */
  basePath: string;
  /** The session cookie's name (the log-in form's CSRF cookie adds `_login`). */
  cookieName: string;
  /** Shown on the log-in page: "Merchant portal". */
  title: string;
}

/** A page of a front end with a log-in (its pages, its log-in form, its messages): HTML that no cache may keep. */
export function sendUncachedPage(reply: FastifyReply, status: number, template: string, data: object) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderPage(template, data));
}

/** A front end's message page (a refusal, bad input, not found), with a way back to its start; never cached. */
export function sendWebMessage(reply: FastifyReply, frontEnd: WebFrontEnd, status: number, heading: string, message: string) {
  return sendUncachedPage(reply, status, 'web-message', { title: frontEnd.title, heading, message, back: frontEnd.basePath });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in account and its session, on every route of a front end that is not public. */
    webSession?: LiveSession;
  }
  interface FastifyContextConfig {
    /** Served without a session (the log-in page). */
    publicPage?: boolean;
  }
}

/** A front end's cookies: HttpOnly, SameSite=Strict, Secure when Kasse's public URL is https, sent only under its path. */
export function webCookieOptions(ctx: AppContext, frontEnd: WebFrontEnd) {
  return { path: frontEnd.basePath, httpOnly: true, sameSite: 'strict' as const, secure: ctx.config.publicUrl.startsWith('https:') };
}

/** The form field (or header, for fetch) that carries the session's CSRF token on every state-changing request. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The live session of a request on a front end's route (the hook below guarantees it). */
export function sessionOf(request: FastifyRequest): LiveSession {
  if (!request.webSession) throw new Error('sessionOf: the route is public or not under registerWebSessionAuth');
  return request.webSession;
}

function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function formField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body && typeof body === 'object' ? body[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A browser names where a request came from; one from another site is refused whatever it carries. */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

/** Only a path of this front end may follow the log-in (no open redirect to another site or another surface). */
function safeNext(frontEnd: WebFrontEnd, next: string | undefined): string {
  if (next && next.startsWith(`${frontEnd.basePath}/`) && !next.startsWith('//') && !/[\\\s]/.test(next) && !next.includes('/login')) return next;
  return frontEnd.basePath;
}

/**
 * Log-in, sessions and CSRF for one front end, added to the encapsulated Fastify context its routes are registered
 * in: cookies and form bodies are parsed there only (the merchant API keeps its JSON-only parsing), every route
 * needs a live session unless it is marked `config: { publicPage: true }` (pages redirect to the log-in, other
 * requests get 401), and every POST/PUT/PATCH/DELETE must carry the session's CSRF token and come from this site.
 * The session cookie is HttpOnly, SameSite=Strict, Secure when Kasse's public URL is https, and sent only under
 * `basePath`. The log-in form itself carries a token bound to a short-lived cookie (double submit), so another site
 * cannot log a browser in to its own account.
 */
export async function registerWebSessionAuth(app: FastifyInstance, ctx: AppContext, frontEnd: WebFrontEnd): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const loginPath = `${frontEnd.basePath}/login`;
  const loginCookie = `${frontEnd.cookieName}_login`;
  const cookieOptions = () => webCookieOptions(ctx, frontEnd);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.publicPage) return;
    const token = request.cookies[frontEnd.cookieName];
    const live = token === undefined ? undefined : await currentSession(ctx, frontEnd.kind, token);
    if (!live) {
      const accept = request.headers.accept ?? '';
      // A page asked for is sent to the log-in; a script's request (it asks for JSON) gets a 401 instead.
      if ((request.method === 'GET' || request.method === 'HEAD') && !(accept.includes('application/json') && !accept.includes('text/html'))) {
        return reply.redirect(`${loginPath}?next=${encodeURIComponent(request.url)}`, 303);
      }
      return reply.code(401).type('text/plain; charset=utf-8').send('Log in first.');
    }
    request.webSession = live;
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (crossSite(request)) return refuse(reply, 'This request came from another site.');
    if (request.routeOptions.config.publicPage) return;
    const presented = (request.headers[CSRF_HEADER] as string | undefined) ?? formField(request, CSRF_FIELD);
    if (!csrfTokenMatches(sessionOf(request).session, presented)) return refuse(reply, 'This form has expired or did not come from this page. Open the page again and retry.');
  });

  function refuse(reply: FastifyReply, message: string) {
    return sendWebMessage(reply, frontEnd, 403, 'Refused', message);
  }

  function loginPage(reply: FastifyReply, status: number, args: { next: string; email?: string; error?: string }) {
    const formToken = randomBytes(24).toString('base64url');
    reply.setCookie(loginCookie, formToken, { ...cookieOptions(), maxAge: SESSION_MAX_MS / 1000 });
    return sendUncachedPage(reply, status, 'web-login', {
      title: frontEnd.title,
      action: loginPath,
      csrfField: CSRF_FIELD,
      csrf: formToken,
      next: args.next,
      email: args.email ?? '',
      error: args.error ?? '',
      lockout: `${LOGIN_LOCKOUT.failuresBeforeLock} wrong passwords in a row lock the account for ${LOGIN_LOCKOUT.lockMs / 60_000} minutes.`,
    });
  }

  app.get<{ Querystring: { next?: string } }>(loginPath, { config: { publicPage: true }, schema: { hide: true } }, async (request, reply) =>
    loginPage(reply, 200, { next: safeNext(frontEnd, request.query.next) }),
  );

  app.post(loginPath, { config: { publicPage: true }, schema: { hide: true } }, async (request, reply) => {
    const email = formField(request, 'email') ?? '';
    const password = formField(request, 'password') ?? '';
    const next = safeNext(frontEnd, formField(request, 'next'));
    const formToken = request.cookies[loginCookie];
    const presented = formField(request, CSRF_FIELD);
    if (formToken === undefined || presented === undefined || !sameBytes(formToken, presented)) {
      return loginPage(reply, 403, { next, email, error: 'The log-in form expired. Try again.' });
    }
    if (email === '' || password === '') return loginPage(reply, 400, { next, email, error: 'Enter your e-mail and your password.' });
    const outcome = await logIn(ctx, frontEnd.kind, email, password);
    if (!outcome.ok) {
      if (outcome.reason === 'locked') {
        const until = isoTimestamp(outcome.lockedUntilMs).slice(11, 16);
        return loginPage(reply, 429, { next, email, error: `Too many wrong passwords: this account is locked until ${until} UTC.` });
      }
      return loginPage(reply, 401, { next, email, error: 'That e-mail and password do not match an account.' });
    }
    reply.clearCookie(loginCookie, cookieOptions());
    reply.setCookie(frontEnd.cookieName, outcome.session.token, { ...cookieOptions(), maxAge: SESSION_MAX_MS / 1000 });
    return reply.redirect(next, 303);
  });

  app.post(`${frontEnd.basePath}/logout`, { schema: { hide: true } }, async (request, reply) => {
    const token = request.cookies[frontEnd.cookieName];
    if (token !== undefined) await endSession(ctx, token);
    reply.clearCookie(frontEnd.cookieName, cookieOptions());
    return reply.redirect(loginPath, 303);
  });
}
