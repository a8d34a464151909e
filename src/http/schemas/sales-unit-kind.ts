import { Type } from 'typebox';

/** A sales unit's kind, as the operator API and the sandbox accept it. */
export const SalesUnitKindFields = {
  kind: Type.Optional(Type.Union([Type.Literal('ecommerce'), Type.Literal('vippsnummer')])),
  /** The Vipps-nummer of a `vippsnummer` unit (its MSN when not given). */
  vippsNumber: Type.Optional(Type.String({ pattern: '^\\d{4,6}$' })),
};
