import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import {
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
 * Unauthenticated by design: a payment request is addressed by its unguessable token, and the app is a simulator
 * where signing in is typing a test user's phone number.
 */
export function userSideRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof UnknownPaymentError) return reply.code(404).send({ error: 'unknown payment' });
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

    app.post('/_kasse/landing/:token/cancel', { schema: { hide, params: TokenParams } }, async (request) => rejectAsUser(ctx, request.params.token));

    for (const path of ['/_kasse/app', '/_kasse/app/pay/:token']) {
      app.get(path, { schema: { hide } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderPage('app', { totalSeconds: USER_ACTION_TIMEOUT_MS / 1000 })));
    }

    app.get('/_kasse/app/api/users/:msisdn', { schema: { hide, params: MsisdnParams } }, async (request): Promise<AppHomeView> => appHome(ctx, request.params.msisdn));

    app.get('/_kasse/app/api/payments/:token', { schema: { hide, params: TokenParams } }, async (request): Promise<PaymentRequestView> => landingView(ctx, request.params.token));

    app.post(
      '/_kasse/app/api/payments/:token/confirm',
      {
        schema: {
          hide,
          params: TokenParams,
          body: AppConfirmBody,
        },
      },
      async (request): Promise<ConfirmAnswer> => {
        const { msisdn, cardId, passedBankId, passedSca, shippingMethodId } = request.body;
        return confirmInApp(ctx, {
          token: request.params.token,
          msisdn,
          cardId: cardId ?? null,
          passedBankId: passedBankId ?? false,
          passedSca: passedSca ?? false,
          shippingMethodId: shippingMethodId ?? null,
        });
      },
    );

    app.post('/_kasse/app/api/payments/:token/reject', { schema: { hide, params: TokenParams } }, async (request) => rejectAsUser(ctx, request.params.token));

    app.get(
      '/_kasse/app/api/payments/:token/shipping',
      {
        schema: {
          hide,
          params: TokenParams,
          querystring: Type.Object({ msisdn: MobileNumber, addressId: Type.Optional(Type.String({ pattern: '^\\d{1,12}$' })) }),
        },
      },
      async (request): Promise<ShippingAnswer> => {
        const { msisdn, addressId } = request.query;
        const options = await expressOptions(ctx, request.params.token, msisdn, addressId === undefined ? null : Number(addressId));
        // The reason is for the operator; the user sees what the real app says.
        if (!options.ok) request.log.warn({ token: request.params.token, reason: options.detail }, 'express shipping details failed');
        return options;
      },
    );

    app.get(
      '/_kasse/app/api/payments/:token/consent',
      { schema: { hide, params: TokenParams, querystring: MsisdnParams } },
      async (request) => rememberedConsent(ctx, request.params.token, request.query.msisdn),
    );

    app.post(
      '/_kasse/app/api/users/:msisdn/consents/:id/remove',
      { schema: { hide, params: Type.Object({ msisdn: MobileNumber, id: Type.String({ pattern: '^\\d{1,12}$' }) }) } },
      async (request) => {
        await removeConsent(ctx, request.params.msisdn, Number(request.params.id));
        return { removed: true };
      },
    );
  };
}
