import type { Insertable } from 'kysely';
import type { PaymentState } from '../../src/domain/payment-states.ts';
import type { PaymentTable } from '../../src/store/schema.ts';

/**
 * A core payment row written straight into the table, for the portal's search (its test and its benchmark): only
 * what the search reads varies; no user, card, express or request rows. Not a payment a merchant could act on.
 */
export function seededPaymentRow(seed: {
  msn: string;
  orderId: string;
  state: PaymentState;
  amountOre: number;
  reservedOre: number;
  capturedOre: number;
  refundedOre: number;
  createdAtMs: number;
  reservedAtMs: number | null;
  transactionText: string;
}): Insertable<PaymentTable> {
  return {
    msn: seed.msn,
    order_id: seed.orderId,
    state: seed.state,
    amount_ore: seed.amountOre,
    reserved_ore: seed.reservedOre,
    captured_ore: seed.capturedOre,
    refunded_ore: seed.refundedOre,
    released_ore: 0,
    version: 1,
    transaction_text: seed.transactionText,
    capture_type: 'reserve',
    scope: null,
    user_msisdn: null,
    card_bin: null,
    card_id: null,
    issuer_pending_until_ms: null,
    shipping_json: null,
    user_details_json: null,
    sub: null,
    expires_at_ms: seed.createdAtMs + 300_000,
    reserved_at_ms: seed.reservedAtMs,
    created_at_ms: seed.createdAtMs,
    updated_at_ms: seed.createdAtMs,
  };
}
