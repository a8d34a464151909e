import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import { landingUrl } from '../../core/payments/initiate.ts';
import { InvalidRequestError } from '../../domain/refusals.ts';
import { findPaymentByLandingToken } from '../../store/repos/payments.ts';
import { authenticate, checkMerchantSerialNumber } from '../../channels/ecomm-v2/authentication.ts';
import { sendVippsError } from '../errors.ts';
import { QrBody, QrTargetUrlResponse } from '../schemas/qr.ts';

/** What `Accept` asks for: the image itself (PNG or SVG) or, with `text/targetUrl`, a URL to the image. */
export type QrFormat = 'png' | 'svg' | 'targetUrl';

const LANDING_PATH = '/dwo-api-application/v1/deeplink/vippsgateway';

/**
 * The first media type in `Accept` that Kasse can produce, in the order the client listed them (q-values are not
 * weighed). No `Accept`, `*\/*` or `image/*`: PNG. Null: none of them.
 */
export function qrFormatFor(accept: string | undefined): QrFormat | null {
  if (accept === undefined || accept.trim() === '') return 'png';
  for (const part of accept.split(',')) {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase();
    if (type === 'image/png' || type === 'image/*' || type === '*/*') return 'png';
    if (type === 'image/svg+xml') return 'svg';
    if (type === 'text/targeturl') return 'targetUrl';
  }
  return null;
}

/**
 * The landing token of `url` when it is a landing page of this Kasse (its public URL's origin, the deeplink path,
 * a `token` parameter); null otherwise.
 */
export function landingTokenOf(ctx: AppContext, url: string): string | null {
  let parsed: URL;
  let own: URL;
  try {
    parsed = new URL(url);
    own = new URL(ctx.config.publicUrl);
  } catch {
    return null;
  }
  if (parsed.origin !== own.origin) return null;
  if (parsed.pathname.replace(/\/+$/, '').toLowerCase() !== LANDING_PATH) return null;
  const token = parsed.searchParams.get('token');
  return token === null || token === '' ? null : token;
}

async function sendQr(reply: FastifyReply, content: string, format: 'png' | 'svg'): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  if (format === 'svg') return reply.type('image/svg+xml').send(await QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  return reply.type('image/png').send(await QRCode.toBuffer(content, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 8 }));
}

/**
 * The one-time payment QR of the Vipps QR API, as the official ecomm v2 Postman collection calls it:
 * `POST /qr/v1` with `{"url": <the initiate url>}`, authenticated like the merchant API. The QR encodes the landing
 * URL; only landing pages of this Kasse, of the caller's own payments, are accepted (anything else: 400 `url`).
 * `Accept: image/png` or `image/svg+xml` answers the image; `text/targetUrl` answers `{url}` pointing at
 * `GET /_kasse/qr/{token}`, which serves the image without credentials (the token is the landing page's own).
 */
export function qrRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register((async (api) => {
      api.addHook('onRequest', authenticate(ctx));
      api.post(
        '/qr/v1',
        {
          schema: {
            tags: ['qr'],
            security: [{ bearerAuth: [], subscriptionKey: [] }],
            summary: 'A one-time payment QR code of a landing-page url (Accept: image/png, image/svg+xml or text/targetUrl)',
            body: QrBody,
            // The JSON answer of text/targetUrl; the images are sent as they are.
            response: { 200: QrTargetUrlResponse },
          },
        },
        async (request, reply) => {
          const msn = checkMerchantSerialNumber(request);
          const accept = request.headers.accept;
          const format = qrFormatFor(Array.isArray(accept) ? accept.join(',') : accept);
          if (format === null) {
            return sendVippsError(reply, request, 406, {
              errorGroup: 'InvalidRequest',
              errorCode: 'Accept',
              errorMessage: 'Accept must be image/png, image/svg+xml or text/targetUrl',
            });
          }
          const { url } = request.body;
          const token = landingTokenOf(ctx, url);
          if (token === null) throw new InvalidRequestError('url', 'url must be the landing-page url returned by initiate');
          const payment = await findPaymentByLandingToken(ctx.store.db, token);
          if (!payment || payment.msn !== msn) throw new InvalidRequestError('url', 'url is not the landing page of a payment of this sales unit');
          if (format === 'targetUrl') {
            return reply.header('cache-control', 'no-store').send({ url: `${ctx.config.publicUrl}/_kasse/qr/${encodeURIComponent(token)}?format=png` });
          }
          return sendQr(reply, url, format);
        },
      );
    }) satisfies FastifyPluginAsyncTypebox);

    app.get(
      '/_kasse/qr/:token',
      {
        schema: {
          hide: true,
          params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }),
          querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])) }),
        },
      },
      async (request, reply) => {
        const payment = await findPaymentByLandingToken(ctx.store.db, request.params.token);
        if (!payment) {
          return sendVippsError(reply, request, 404, { errorGroup: 'InvalidRequest', errorCode: 'token', errorMessage: 'No payment has this token' });
        }
        return sendQr(reply, landingUrl(ctx, payment.landing_token, false), request.query.format ?? 'png');
      },
    );
  };
}
