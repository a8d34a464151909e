/**
 * Wire schemas of the ecomm v2 API (spec/ecom-v2-swagger.yaml), as TypeBox: they validate requests,
 * serialise responses and generate the OpenAPI document served at /_kasse/docs.
 * Leniency the deployed clients need (REFERENCE.md, Kasse decision 5): MSN as string or number, unknown and
 * legacy fields accepted and ignored (no additionalProperties: false anywhere).
 */
import { Type, type Static } from 'typebox';
import { MAX_AMOUNT_ORE, MIN_AMOUNT_ORE } from '../../domain/money.ts';

export const OrderId = Type.String({ pattern: '^[a-zA-Z0-9-]{1,50}$', maxLength: 50, description: 'Unique per MSN, case-sensitive' });

export const MerchantSerialNumber = Type.Union(
  [Type.String({ pattern: '^\\d{4,6}$' }), Type.Integer({ minimum: 1000, maximum: 999_999 })],
  { description: 'The sales unit (MSN). Sent as a string per the spec; numbers are accepted as deployed clients send them.' },
);

/** Shipping cost is NOK (number or decimal string, as deployed clients send it); priority likewise lenient. */
const StaticShippingDetails = Type.Object({
  isDefault: Type.Union([Type.Literal('Y'), Type.Literal('N')]),
  priority: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.String({ pattern: '^\\d{1,5}$' })])),
  shippingCost: Type.Union([Type.Number({ minimum: 0, maximum: 99_999_999 }), Type.String({ pattern: '^\\d{1,8}([.,]\\d{1,2})?$' })]),
  shippingMethod: Type.String({ minLength: 1, maxLength: 256 }),
  shippingMethodId: Type.String({ minLength: 1, maxLength: 100 }),
});

/** Airline data (rarely used); when present the spec requires these four fields. */
const AdditionalData = Type.Object({
  passengerName: Type.String({ minLength: 1, maxLength: 49 }),
  airlineCode: Type.String({ minLength: 3, maxLength: 3 }),
  airlineDesignatorCode: Type.String({ minLength: 2, maxLength: 2 }),
  agencyInvoiceNumber: Type.String({ minLength: 1, maxLength: 6 }),
  ticketNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 150 })),
});

const Url = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });

export const OrderIdParams = Type.Object({ orderId: OrderId });

export const RequestIdHeaders = Type.Object({
  'x-request-id': Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Idempotency key' })),
  'merchant-serial-number': Type.Optional(Type.String({ maxLength: 6 })),
});

export const InitiateBody = Type.Object({
  customerInfo: Type.Object({
    mobileNumber: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Integer(), Type.Null()])),
  }),
  merchantInfo: Type.Object({
    merchantSerialNumber: MerchantSerialNumber,
    callbackPrefix: Url('Vipps appends /v2/payments/{orderId}'),
    fallBack: Url('Where the user is sent when the payment ends; https or a custom scheme'),
    authToken: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    consentRemovalPrefix: Type.Optional(Url('Express only: Vipps appends /v2/consents/{userId}')),
    shippingDetailsPrefix: Type.Optional(Url('Express only: Vipps appends /v2/payments/{orderId}/shippingDetails')),
    isApp: Type.Optional(Type.Boolean()),
    paymentType: Type.Optional(Type.Union([Type.Literal('eComm Regular Payment'), Type.Literal('eComm Express Payment')])),
    staticShippingDetails: Type.Optional(Type.Array(StaticShippingDetails, { maxItems: 50 })),
  }),
  transaction: Type.Object({
    orderId: OrderId,
    amount: Type.Integer({ minimum: MIN_AMOUNT_ORE, maximum: MAX_AMOUNT_ORE, description: 'øre' }),
    transactionText: Type.String({ maxLength: 100 }),
    skipLandingPage: Type.Optional(Type.Boolean()),
    scope: Type.Optional(Type.String({ maxLength: 200 })),
    additionalData: Type.Optional(AdditionalData),
  }),
});
export type InitiateBody = Static<typeof InitiateBody>;

export const InitiateResponse = Type.Object({ orderId: Type.String(), url: Type.String() });

const MerchantInfoPayment = Type.Object({ merchantSerialNumber: MerchantSerialNumber });

export const PaymentActionBody = Type.Object({
  merchantInfo: MerchantInfoPayment,
  transaction: Type.Object({
    amount: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: MAX_AMOUNT_ORE }), Type.Null()], {
        description: 'øre; omitted, null or 0 means everything remaining',
      }),
    ),
    transactionText: Type.String({ maxLength: 100 }),
  }),
});
export type PaymentActionBody = Static<typeof PaymentActionBody>;

export const CancelBody = Type.Object({
  merchantInfo: MerchantInfoPayment,
  transaction: Type.Object({ transactionText: Type.String({ maxLength: 100 }) }),
  shouldReleaseRemainingFunds: Type.Optional(Type.Boolean()),
});
export type CancelBody = Static<typeof CancelBody>;

export const ForceApproveBody = Type.Object({
  customerPhoneNumber: Type.String({ pattern: '^\\d{8}$' }),
  token: Type.String({ minLength: 1, maxLength: 1000 }),
});

const TransactionSummary = Type.Object({
  capturedAmount: Type.Integer(),
  remainingAmountToCapture: Type.Integer(),
  refundedAmount: Type.Integer(),
  remainingAmountToRefund: Type.Integer(),
  bankIdentificationNumber: Type.Optional(Type.Integer()),
});

const ActionTransactionInfo = Type.Object({
  amount: Type.Integer(),
  timeStamp: Type.String(),
  transactionText: Type.String(),
  status: Type.Union([Type.Literal('Captured'), Type.Literal('Refund'), Type.Literal('Cancelled')]),
  transactionId: Type.String(),
});

export const CaptureResponse = Type.Object({
  orderId: Type.String(),
  transactionInfo: ActionTransactionInfo,
  transactionSummary: TransactionSummary,
});

export const CancelResponse = CaptureResponse;

export const RefundResponse = Type.Object({
  orderId: Type.String(),
  transaction: ActionTransactionInfo,
  transactionInfo: ActionTransactionInfo,
  transactionSummary: TransactionSummary,
});

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);

export const DetailsResponse = Type.Object({
  orderId: Type.String(),
  sub: Type.Optional(Type.String()),
  shippingDetails: Type.Optional(
    Type.Object({
      address: Type.Object({
        addressLine1: Nullable(Type.String()),
        addressLine2: Type.Optional(Type.String()),
        city: Nullable(Type.String()),
        country: Type.String(),
        postCode: Nullable(Type.String()),
      }),
      shippingCost: Type.Number({ description: 'NOK, not øre' }),
      shippingMethod: Type.String(),
      shippingMethodId: Type.String(),
    }),
  ),
  userDetails: Type.Optional(
    Type.Object({
      email: Nullable(Type.String()),
      firstName: Nullable(Type.String()),
      lastName: Nullable(Type.String()),
      mobileNumber: Nullable(Type.String()),
      userId: Nullable(Type.String()),
    }),
  ),
  transactionSummary: Type.Optional(TransactionSummary),
  transactionLogHistory: Type.Array(
    Type.Object({
      amount: Type.Integer(),
      transactionText: Type.String(),
      transactionId: Type.String(),
      timeStamp: Type.String(),
      operation: Type.Union([
        Type.Literal('INITIATE'),
        Type.Literal('RESERVE'),
        Type.Literal('SALE'),
        Type.Literal('CAPTURE'),
        Type.Literal('REFUND'),
        Type.Literal('CANCEL'),
        Type.Literal('VOID'),
      ]),
      requestId: Type.String(),
      operationSuccess: Type.Boolean(),
    }),
  ),
});

export const StatusResponse = Type.Object({
  orderId: Type.String(),
  transactionInfo: Type.Object({
    amount: Type.Integer(),
    status: Type.String(),
    timeStamp: Type.String(),
    transactionId: Type.String(),
  }),
});

export const AccessTokenResponse = Type.Object({
  token_type: Type.String(),
  expires_in: Type.String(),
  ext_expires_in: Type.String(),
  expires_on: Type.String(),
  not_before: Type.String(),
  resource: Type.String(),
  access_token: Type.String(),
});

export const VippsErrorArray = Type.Array(
  Type.Object({ errorGroup: Type.String(), errorCode: Type.String(), errorMessage: Type.String(), contextId: Type.String() }),
);
