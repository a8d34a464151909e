/**
 * Wire schemas of the user's side (landing page, simulated app) and the sandbox API: they validate requests on the
 * routes, and the fuzzer (test/reliability/fuzz.test.ts) predicts from the same objects what must be rejected.
 */
import { SalesUnitKindFields } from './sales-unit-kind.ts';
import { Type } from 'typebox';
import { SettlementTermsFields } from './settlement-terms.ts';
import { EIGHT_DIGITS_PATTERN } from '../../shared/phone-number.ts';

/** Landing tokens are base64url; anything else (a NUL byte, a slash) is not one of ours and never reaches the database. */
export const LandingToken = Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' });
/** A Norwegian mobile number as the app and the sandbox take it: eight digits. */
export const MobileNumber = Type.String({ pattern: EIGHT_DIGITS_PATTERN });

export const TokenParams = Type.Object({ token: LandingToken });
export const MsisdnParams = Type.Object({ msisdn: MobileNumber });

export const LandingPushBody = Type.Object({ mobileNumber: Type.String({ maxLength: 20 }) });

export const AppConfirmBody = Type.Object({
  msisdn: MobileNumber,
  cardId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  passedBankId: Type.Optional(Type.Boolean()),
  passedSca: Type.Optional(Type.Boolean()),
  shippingMethodId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
});

export const SandboxMerchantBody = Type.Object({
  captureType: Type.Optional(Type.Union([Type.Literal('reserve'), Type.Literal('direct')])),
  express: Type.Optional(Type.Boolean()),
  rateLimits: Type.Optional(Type.Boolean()),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  ...SettlementTermsFields,
  ...SalesUnitKindFields,
});

export const SandboxClockBody = Type.Object({ advanceMs: Type.Integer({ minimum: 0, maximum: 10 * 365 * 24 * 3_600_000 }) });
