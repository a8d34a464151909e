import { Type } from 'typebox';

/** Settlement terms of a sales unit, as the sandbox and the operator API take them. */
export const SettlementTermsFields = {
  feeBasisPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Fee per capture in basis points of the amount (175 = 1.75 %)' })),
  feeFixedOre: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Fixed fee per capture in øre' })),
  settlementType: Type.Optional(Type.Union([Type.Literal('net'), Type.Literal('gross')], { description: 'net: fees deducted from the payout; gross: invoiced monthly' })),
  payoutFrequency: Type.Optional(Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly')])),
};

export const SettlementTermsBody = Type.Object(SettlementTermsFields);
