import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import { loadWithLog } from '../../core/payments/details.ts';
import { REGULAR_PAYMENT, landingUrl } from '../../core/payments/initiate.ts';
import { runUseCase } from '../../core/use-cases.ts';
import { Refused } from '../../domain/refusals.ts';
import { cancelBody, captureBody, detailsBody, refundBody, statusBody } from './presenters.ts';
import { authenticate, checkMerchantSerialNumber } from './authentication.ts';
import type { RateLimitedOperation, RateLimiter } from './rate-limit.ts';
import { actionAmountOre, checkCallbackUrl, checkFallBack, normalizeMobileNumber } from './request-rules.ts';
import {
  CancelBody,
  CancelResponse,
  CaptureResponse,
  DetailsResponse,
  ForceApproveBody,
  InitiateBody,
  InitiateResponse,
  OrderIdParams,
  PaymentActionBody,
  RefundResponse,
  RequestIdHeaders,
  StatusResponse,
} from './schemas.ts';

const TAGS = ['ecomm v2'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];

/** A capture's or a refund's request: the two share their path parameter, body and headers. */
type MoneyActionRequest = FastifyRequest & { params: Static<typeof OrderIdParams>; body: Static<typeof PaymentActionBody>; headers: Static<typeof RequestIdHeaders> };

/** The merchant API, `/ecomm/v2/…`. Every route is authenticated and scoped to the keys' sales unit. */
export function ecommV2Routes(ctx: AppContext, limiter: RateLimiter): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));

    const limit = (request: FastifyRequest, operation: RateLimitedOperation, orderId: string) => {
      if (!request.client.salesUnit.rate_limits_enabled) return;
      if (!limiter.allow(operation, `${request.client.salesUnit.msn}:${orderId}`)) throw new Refused('too_many_requests');
    };

    /** A capture's or a refund's command, from its request alike: the body's MSN checked, the order's rate limit taken. */
    const moneyAction = (request: MoneyActionRequest, operation: 'capture' | 'refund') => {
      const msn = checkMerchantSerialNumber(request, request.body.merchantInfo.merchantSerialNumber);
      limit(request, operation, request.params.orderId);
      return {
        msn,
        orderId: request.params.orderId,
        amountOre: actionAmountOre(request.body.transaction.amount),
        transactionText: request.body.transaction.transactionText,
        requestId: request.headers['x-request-id'] ?? null,
      };
    };

    app.post(
      '/ecomm/v2/payments',
      { schema: { tags: TAGS, security, summary: 'Initiate a payment', body: InitiateBody, headers: RequestIdHeaders, response: { 200: InitiateResponse } } },
      async (request) => {
        const { customerInfo, merchantInfo, transaction } = request.body;
        checkMerchantSerialNumber(request, merchantInfo.merchantSerialNumber);
        limit(request, 'initiate', transaction.orderId);
        const isApp = merchantInfo.isApp ?? false;
        checkCallbackUrl('merchantInfo.callbackPrefix', merchantInfo.callbackPrefix);
        checkFallBack(merchantInfo.fallBack, isApp);
        if (merchantInfo.consentRemovalPrefix !== undefined) checkCallbackUrl('merchantInfo.consentRemovalPrefix', merchantInfo.consentRemovalPrefix);
        if (merchantInfo.shippingDetailsPrefix !== undefined) checkCallbackUrl('merchantInfo.shippingDetailsPrefix', merchantInfo.shippingDetailsPrefix);
        const { consentRemovalPrefix, shippingDetailsPrefix, staticShippingDetails } = merchantInfo;
        const { landingToken } = await runUseCase(ctx, 'initiatePayment', request.client.salesUnit, {
          orderId: transaction.orderId,
          amountOre: transaction.amount,
          transactionText: transaction.transactionText,
          callbackPrefix: merchantInfo.callbackPrefix,
          fallBack: merchantInfo.fallBack,
          authToken: merchantInfo.authToken ?? null,
          isApp,
          paymentType: merchantInfo.paymentType ?? REGULAR_PAYMENT,
          skipLandingPage: transaction.skipLandingPage ?? false,
          customerMobile: normalizeMobileNumber(customerInfo.mobileNumber),
          scope: transaction.scope?.trim() || null,
          merchantInfoExtras: { consentRemovalPrefix, shippingDetailsPrefix, staticShippingDetails },
        });
        return { orderId: transaction.orderId, url: landingUrl(ctx, landingToken, isApp) };
      },
    );

    app.post(
      '/ecomm/v2/payments/:orderId/capture',
      {
        schema: {
          tags: TAGS,
          security,
          summary: 'Capture all or part of the reserved amount',
          params: OrderIdParams,
          headers: RequestIdHeaders,
          body: PaymentActionBody,
          response: { 200: CaptureResponse },
        },
      },
      async (request) => captureBody(await runUseCase(ctx, 'capturePayment', moneyAction(request, 'capture'))),
    );

    app.post(
      '/ecomm/v2/payments/:orderId/refund',
      {
        schema: {
          tags: TAGS,
          security,
          summary: 'Refund all or part of the captured amount',
          params: OrderIdParams,
          headers: RequestIdHeaders,
          body: PaymentActionBody,
          response: { 200: RefundResponse },
        },
      },
      async (request) => refundBody(await runUseCase(ctx, 'refundPayment', moneyAction(request, 'refund'))),
    );

    app.put(
      '/ecomm/v2/payments/:orderId/cancel',
      {
        schema: {
          tags: TAGS,
          security,
          summary: 'Cancel an initiated or reserved payment, or release what remains after a partial capture',
          params: OrderIdParams,
          headers: RequestIdHeaders,
          body: CancelBody,
          response: { 200: CancelResponse },
        },
      },
      async (request) => {
        const msn = checkMerchantSerialNumber(request, request.body.merchantInfo.merchantSerialNumber);
        limit(request, 'cancel', request.params.orderId);
        return cancelBody(
          await runUseCase(ctx, 'cancelPayment', {
          msn,
          orderId: request.params.orderId,
          transactionText: request.body.transaction.transactionText,
          shouldReleaseRemainingFunds: request.body.shouldReleaseRemainingFunds ?? false,
          requestId: request.headers['x-request-id'] ?? null,
          }),
        );
      },
    );

    app.get(
      '/ecomm/v2/payments/:orderId/details',
      { schema: { tags: TAGS, security, summary: 'The full history of a payment', params: OrderIdParams, headers: RequestIdHeaders, response: { 200: DetailsResponse } } },
      async (request) => {
        const msn = checkMerchantSerialNumber(request);
        limit(request, 'details', `${request.params.orderId}:${request.client.clientId}`);
        return detailsBody(await loadWithLog(ctx.store.db, msn, request.params.orderId), ctx.clock.nowMs());
      },
    );

    app.get(
      '/ecomm/v2/payments/:orderId/status',
      {
        schema: {
          tags: TAGS,
          security,
          summary: 'Deprecated: the last status of a payment',
          deprecated: true,
          params: OrderIdParams,
          headers: RequestIdHeaders,
          response: { 200: StatusResponse },
        },
      },
      async (request) => {
        const msn = checkMerchantSerialNumber(request);
        limit(request, 'status', `${request.params.orderId}:${request.client.clientId}`);
        return statusBody(await loadWithLog(ctx.store.db, msn, request.params.orderId));
      },
    );

    app.post(
      '/ecomm/v2/integration-test/payments/:orderId/approve',
      {
        schema: {
          tags: TAGS,
          security,
          summary: 'Test only: approve a payment as the given test user',
          params: OrderIdParams,
          headers: RequestIdHeaders,
          body: ForceApproveBody,
        },
      },
      async (request, reply) => {
        const msn = checkMerchantSerialNumber(request);
        await runUseCase(ctx, 'forceApprove', {
          msn,
          orderId: request.params.orderId,
          customerPhoneNumber: request.body.customerPhoneNumber,
          token: request.body.token,
          requestId: request.headers['x-request-id'] ?? null,
        });
        return reply.code(200).send();
      },
    );
  };
}
