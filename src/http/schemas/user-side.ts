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

/** A card of a user created through the sandbox or the operator API (defaults: core/users/test-users.ts). */
export const UserCardSpec = Type.Object({
  id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  label: Type.Optional(Type.String({ maxLength: 50 })),
  brand: Type.Optional(Type.Union([Type.Literal('VISA'), Type.Literal('MASTERCARD')])),
  bin: Type.Optional(Type.Integer({ minimum: 100000, maximum: 999999 })),
  last4: Type.Optional(Type.String({ pattern: '^\\d{4}$' })),
  expiryMonth: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })),
  bankId: Type.Optional(Type.String({ maxLength: 40 })),
  availableOre: Type.Optional(Type.Integer({ minimum: -2_147_483_647, maximum: 100_000_000_000 })),
  maxAmountOre: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('replaced'), Type.Literal('blocked')])),
  isDefault: Type.Optional(Type.Boolean()),
});

const UserFields = {
  msisdn: MobileNumber,
  firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  lastName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  email: Type.Optional(Type.String({ maxLength: 100 })),
  bankIdVerified: Type.Optional(Type.Boolean()),
  stepUpLimitOre: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  appVersion: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+){0,2}$' })),
  canPayBusinesses: Type.Optional(Type.Boolean()),
  birthDate: Type.Optional(Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()])),
  cards: Type.Optional(Type.Array(UserCardSpec, { maxItems: 10 })),
};

/** A PIN as typed: checked against PIN_PATTERN by the use case, so the answer names the rule. */
const PinField = Type.String({ maxLength: 20 });

/** A sandbox test user; without a PIN the user signs in with the number alone (sandbox only). */
export const SandboxUserBody = Type.Object({ ...UserFields, pin: Type.Optional(PinField) });

/** A user the operator creates (production: the only way a user comes to exist); the PIN is required. */
export const OperatorUserBody = Type.Object({ ...UserFields, pin: PinField });
export const OperatorPinBody = Type.Object({ pin: PinField });
