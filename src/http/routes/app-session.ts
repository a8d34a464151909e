import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import { signInToApp, signOutOfApp } from '../../core/user-app/sign-in.ts';
import type { AppSessionView } from '../../shared/view-models.ts';
import { APP_SESSION_COOKIE, SIGN_IN_HEADER, clearSessionCookie, headerOf, requireAppSession, sendAppError, setSessionCookie, signedIn } from '../app-session.ts';
import { MobileNumber } from '../schemas/user-side.ts';

const hide = true;

export const AppSignInBody = Type.Object({
  msisdn: MobileNumber,
  /** Null or omitted: sandbox only, a number that has no PIN. */
  pin: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
});

function view(session: { msisdn: string; csrfToken: string; expiresAtMs: number }): AppSessionView {
  return { msisdn: session.msisdn, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAtMs).toISOString() };
}

/** Sign in to the simulated app (phone number and PIN), the current session, sign out. */
export function appSessionRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/_kasse/app/api/session', { schema: { hide, body: AppSignInBody } }, async (request, reply) => {
      if (headerOf(request, SIGN_IN_HEADER) !== '1') return sendAppError(reply, request, 403, 'csrf');
      const result = await signInToApp(ctx, request.body.msisdn, request.body.pin ?? null);
      if (result.ok) {
        setSessionCookie(ctx, reply, result.token);
        return view(result.session);
      }
      if (result.reason === 'locked') {
        const seconds = Math.max(1, Math.ceil((result.lockedUntilMs - ctx.clock.nowMs()) / 1000));
        return sendAppError(reply.header('retry-after', String(seconds)), request, 429, 'locked');
      }
      return sendAppError(reply, request, 401, result.reason);
    });

    app.get('/_kasse/app/api/session', { schema: { hide }, preHandler: requireAppSession(ctx) }, async (request) => view(signedIn(request)));

    app.post('/_kasse/app/api/session/sign-out', { schema: { hide }, preHandler: requireAppSession(ctx) }, async (request, reply) => {
      await signOutOfApp(ctx, request.cookies[APP_SESSION_COOKIE] ?? '');
      clearSessionCookie(ctx, reply);
      return { signedOut: true };
    });
  };
}
