import { InvalidRequestError, Refused } from '../../domain/refusals.ts';
import { USER_ACTION_TIMEOUT_MS } from '../../domain/payment.ts';
import { insertPayment } from '../../store/repos/payments.ts';
import type { SalesUnitRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { newLandingToken } from './landing-token.ts';

export const EXPRESS_PAYMENT = 'eComm Express Payment';
export const REGULAR_PAYMENT = 'eComm Regular Payment';

export interface InitiateCommand {
  orderId: string;
  amountOre: number;
  transactionText: string;
  callbackPrefix: string;
  fallBack: string;
  authToken: string | null;
  isApp: boolean;
  paymentType: string;
  skipLandingPage: boolean;
  customerMobile: string | null;
  scope: string | null;
  /** merchantInfo fields later features read (express prefixes, static shipping), kept verbatim. */
  merchantInfoExtras: Record<string, unknown>;
}

const ALLOWED_SCOPES = new Set(['name', 'address', 'email', 'phoneNumber', 'birthDate', 'nin']);

/** Rules that need the sales unit; the wire schema has already checked shapes and lengths. */
function checkAgainstSalesUnit(unit: SalesUnitRow, cmd: InitiateCommand): void {
  // A Vipps-nummer takes payments in the app only: web payments need refunds, which it cannot make.
  if (unit.kind === 'vippsnummer') throw new Refused('not_allowed_for_ecommerce');
  if (cmd.skipLandingPage && !unit.skip_landing_page_allowed) throw new Refused('skip_landing_page_not_allowed');
  if (cmd.skipLandingPage && cmd.customerMobile === null) {
    throw new InvalidRequestError('customerInfo.mobileNumber', 'customerInfo.mobileNumber is required when skipLandingPage is true');
  }
  if (cmd.paymentType === EXPRESS_PAYMENT) {
    if (!unit.express_allowed) throw new Refused('express_not_allowed');
    if (typeof cmd.merchantInfoExtras.consentRemovalPrefix !== 'string') {
      throw new InvalidRequestError('merchantInfo.consentRemovalPrefix', 'consentRemovalPrefix is required for eComm Express Payment');
    }
    if (cmd.scope !== null) throw new InvalidRequestError('transaction.scope', 'scope cannot be combined with eComm Express Payment');
    if (typeof cmd.merchantInfoExtras.shippingDetailsPrefix !== 'string' && !Array.isArray(cmd.merchantInfoExtras.staticShippingDetails)) {
      throw new InvalidRequestError('merchantInfo.shippingDetailsPrefix', 'eComm Express Payment needs shippingDetailsPrefix or staticShippingDetails');
    }
  }
  if (cmd.scope !== null) {
    const scopes = cmd.scope.split(' ').filter(Boolean);
    const unknown = scopes.find((s) => !ALLOWED_SCOPES.has(s));
    if (unknown !== undefined) throw new InvalidRequestError('transaction.scope', `unknown scope '${unknown}'`);
    if (scopes.includes('nin') && !unit.nin_scope_allowed) throw new Refused('nin_scope_not_allowed');
  }
}

export function landingUrl(ctx: AppContext, token: string, isApp: boolean): string {
  // The Postman collection takes the force-approve token as url.split('=', 3)[2]: keep `?v=2&token=` first.
  if (isApp) return `vipps://?token=${token}`;
  return `${ctx.config.publicUrl}/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=${token}`;
}

export async function initiatePayment(ctx: AppContext, unit: SalesUnitRow, cmd: InitiateCommand) {
  checkAgainstSalesUnit(unit, cmd);
  const nowMs = ctx.clock.nowMs();
  const token = newLandingToken(nowMs);
  // One statement on PostgreSQL (no BEGIN and COMMIT round trips); in a group commit on SQLite.
  const payment = await ctx.store.atomicWrite((db) =>
    insertPayment(
      db,
      ctx.store.kind,
      {
        msn: unit.msn,
        order_id: cmd.orderId,
        state: 'initiated',
        amount_ore: cmd.amountOre,
        reserved_ore: 0,
        captured_ore: 0,
        refunded_ore: 0,
        released_ore: 0,
        version: 1,
        transaction_text: cmd.transactionText,
        capture_type: unit.capture_type,
        payment_type: cmd.paymentType,
        landing_token: token,
        callback_prefix: cmd.callbackPrefix,
        fall_back: cmd.fallBack,
        auth_token: cmd.authToken,
        is_app: cmd.isApp ? 1 : 0,
        skip_landing_page: cmd.skipLandingPage ? 1 : 0,
        customer_mobile: cmd.customerMobile,
        // skipLandingPage: the request goes straight to the user's app.
        pushed_to_msisdn: cmd.skipLandingPage ? cmd.customerMobile : null,
        scope: cmd.scope,
        user_msisdn: null,
        card_bin: null,
        merchant_info_json: JSON.stringify(cmd.merchantInfoExtras),
        expires_at_ms: nowMs + USER_ACTION_TIMEOUT_MS,
        reserved_at_ms: null,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
      },
      { seq: 1, kind: 'initiate', amount_ore: cmd.amountOre, transaction_text: cmd.transactionText, request_id: '', created_at_ms: nowMs, error_key: null },
    ),
  );
  if (!payment) throw new Refused('duplicate_order_id');
  // The channel builds the landing URL from the token (landingUrl), with the public URL of the node that answers.
  return { orderId: cmd.orderId, landingToken: token };
}
