import cookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import {
  OtherUsersPaymentError,
  UnknownPaymentError,
  appHome,
  confirmInApp,
  expressOptions,
  landingView,
  pushFromLanding,
  rejectAsUser,
  rememberedConsent,
} from '../../core/user-app/payment-requests.ts';
import { removeConsent } from '../../core/express/consent-removal.ts';
import { landingPage, messagePage } from '../views/landing-page.ts';
import { renderPage } from '../web/templates.ts';
import type { AppHomeView, ConfirmAnswer, PaymentRequestView, ShippingAnswer } from '../../shared/view-models.ts';
import { USER_ACTION_TIMEOUT_MS } from '../../domain/payment.ts';
import { requireAppSession, sendAppError, signedIn } from '../app-session.ts';
import { appSessionRoutes } from './app-session.ts';
import { AppConfirmBody, LandingPushBody, LandingToken, MobileNumber, MsisdnParams, TokenParams } from '../schemas/user-side.ts';

const hide = true;

/** Phones switch straight into the app; desktops get the landing page that asks for the phone number. */
export function isPhone(userAgent: string | undefined): boolean {
  return /Mobi|Android|iPhone|iPad/i.test(userAgent ?? '');
}

function unknownPayment(reply: FastifyReply) {
  return reply.code(404).type('text/html; charset=utf-8').send(messagePage('Unknown payment', 'This payment link is not valid.'));
}

/**
 * The user's side: the landing page behind the initiate `url`, and the simulated Vipps app with its JSON API.
 * The landing page and the app's view of one request are addressed by the request's unguessable token (the shopper's
 * link); whatever acts for a user needs that user's app session (phone number and PIN, src/http/routes/app-session.ts).
 */
export function userSideRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(cookie);
    app.decorateRequest('appSession', null);
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof UnknownPaymentError) return reply.code(404).send({ error: 'unknown payment' });
      if (error instanceof OtherUsersPaymentError) return sendAppError(reply, request, 403, 'other_user');
      // Reuse the Vipps error mapping for everything else (validation, business rules).
      throw error;
    });

    app.get(
      '/dwo-api-application/v1/deeplink/vippsgateway',
      { schema: { hide, querystring: Type.Object({ token: LandingToken, v: Type.Optional(Type.String({ maxLength: 10 })) }) } },
      async (request, reply) => {
        const { token } = request.query;
        try {
          const view = await landingView(ctx, token);
          if (isPhone(request.headers['user-agent']) && !view.finished) {
            return reply.redirect(`/_kasse/app/pay/${encodeURIComponent(token)}`);
          }
          return reply.type('text/html; charset=utf-8').send(landingPage(view));
        } catch (error) {
          if (error instanceof UnknownPaymentError) return unknownPayment(reply);
          throw error;
        }
      },
    );

    app.get('/_kasse/landing/:token', { schema: { hide, params: TokenParams } }, async (request) => landingView(ctx, request.params.token));

    app.post(
      '/_kasse/landing/:token/push',
      { schema: { hide, params: TokenParams, body: LandingPushBody } },
      async (request) => pushFromLanding(ctx, request.params.token, request.body.mobileNumber),
    );

    app.post('/_kasse/landing/:token/cancel', { schema: { hide, params: TokenParams } }, async (request) => rejectAsUser(ctx, request.params.token, null));

    for (const path of ['/_kasse/app', '/_kasse/app/pay/:token']) {
      app.get(path, { schema: { hide } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(renderPage('app', { totalSeconds: USER_ACTION_TIMEOUT_MS / 1000, mode: ctx.config.mode })),
      );
    }

    await app.register(appSessionRoutes(ctx));

    app.get('/_kasse/app/api/payments/:token', { schema: { hide, params: TokenParams } }, async (request): Promise<PaymentRequestView> => landingView(ctx, request.params.token));

    // Everything below acts for the signed-in user: a live session, its CSRF token on POSTs, and the number in the
    // path, body or query must be the session's.
    const session = requireAppSession(ctx);
    const asSignedIn = (request: FastifyRequest, msisdn: string): string => {
      const user = signedIn(request).msisdn;
      if (msisdn !== user) throw new OtherUsersPaymentError('another user\'s number');
      return user;
    };

    app.get(
      '/_kasse/app/api/users/:msisdn',
      { schema: { hide, params: MsisdnParams }, preHandler: session },
      async (request): Promise<AppHomeView> => appHome(ctx, asSignedIn(request, request.params.msisdn)),
    );

    app.post(
      '/_kasse/app/api/payments/:token/confirm',
      { schema: { hide, params: TokenParams, body: AppConfirmBody }, preHandler: session },
      async (request): Promise<ConfirmAnswer> => {
        const { msisdn, cardId, passedBankId, passedSca, shippingMethodId } = request.body;
        return confirmInApp(ctx, {
          token: request.params.token,
          msisdn: asSignedIn(request, msisdn),
          cardId: cardId ?? null,
          passedBankId: passedBankId ?? false,
          passedSca: passedSca ?? false,
          shippingMethodId: shippingMethodId ?? null,
        });
      },
    );

    app.post('/_kasse/app/api/payments/:token/reject', { schema: { hide, params: TokenParams }, preHandler: session }, async (request) =>
      rejectAsUser(ctx, request.params.token, signedIn(request).msisdn),
    );

    app.get(
      '/_kasse/app/api/payments/:token/shipping',
      {
        schema: {
          hide,
          params: TokenParams,
          querystring: Type.Object({ msisdn: MobileNumber, addressId: Type.Optional(Type.String({ pattern: '^\\d{1,12}$' })) }),
        },
        preHandler: session,
      },
      async (request): Promise<ShippingAnswer> => {
        const { msisdn, addressId } = request.query;
        const options = await expressOptions(ctx, request.params.token, asSignedIn(request, msisdn), addressId === undefined ? null : Number(addressId));
        // The reason is for the operator; the user sees what the real app says.
        if (!options.ok) request.log.warn({ token: request.params.token, reason: options.detail }, 'express shipping details failed');
        return options;
      },
    );

    app.get(
      '/_kasse/app/api/payments/:token/consent',
      { schema: { hide, params: TokenParams, querystring: MsisdnParams }, preHandler: session },
      async (request) => rememberedConsent(ctx, request.params.token, asSignedIn(request, request.query.msisdn)),
    );

    app.post(
      '/_kasse/app/api/users/:msisdn/consents/:id/remove',
      { schema: { hide, params: Type.Object({ msisdn: MobileNumber, id: Type.String({ pattern: '^\\d{1,12}$' }) }) }, preHandler: session },
      async (request) => {
        await removeConsent(ctx, asSignedIn(request, request.params.msisdn), Number(request.params.id));
        return { removed: true };
      },
    );
  };
}
