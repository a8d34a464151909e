import { InvalidRequestError, VippsError } from '../../domain/errors.ts';
import { decideApproval } from '../../domain/payment.ts';
import type { Trx } from '../../store/db.ts';
import type { PaymentRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';
import { unwrap, withIdempotency } from '../idempotency.ts';
import { inTransaction } from '../transaction.ts';
import { resolveTestUser } from '../users/test-users.ts';
import { loadPayment } from './load.ts';
import { decideAndRecord, type RecordedOperation } from './record-operation.ts';

/**
 * The user behind `msisdn` approves: reserve, or capture at once on direct-capture sales units.
 * Shared by force approve and the landing page.
 */
export async function approveAsUser(ctx: AppContext, trx: Trx, payment: PaymentRow, msisdn: string): Promise<RecordedOperation> {
  const user = await resolveTestUser(trx, msisdn, ctx.clock.nowMs());
  if (!user.bankid_verified) throw new VippsError('user_not_bankid_verified');
  return decideAndRecord(ctx, trx, {
    msn: payment.msn,
    orderId: payment.order_id,
    requestId: '',
    transactionText: (p) => p.transaction_text,
    approval: { userMsisdn: user.msisdn, cardBin: user.card_bin },
    decide: (facts, now) => decideApproval(facts, payment.capture_type, now),
  });
}

export interface ForceApproveCommand {
  msn: string;
  orderId: string;
  customerPhoneNumber: string;
  token: string;
  requestId: string | null;
}

/**
 * `POST /ecomm/v2/integration-test/payments/{orderId}/approve`: approve as the given test user would in
 * the app. The user must be BankID verified (Payment 1082); the token is the one in the initiate `url`.
 */
export async function forceApprove(ctx: AppContext, cmd: ForceApproveCommand): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  const outcome = await inTransaction(ctx, (trx) =>
    withIdempotency(
      trx,
      {
        scope: { msn: cmd.msn, orderId: cmd.orderId, operation: 'approve', requestId: cmd.requestId },
        request: { customerPhoneNumber: cmd.customerPhoneNumber, token: cmd.token },
        nowMs,
      },
      async () => {
        const payment = await loadPayment(trx, cmd.msn, cmd.orderId);
        if (payment.landing_token !== cmd.token) {
          throw new InvalidRequestError('token', 'The token does not belong to this orderId; use the token from the initiate url');
        }
        await approveAsUser(ctx, trx, payment, cmd.customerPhoneNumber);
        return {};
      },
    ),
  );
  ctx.onOutboundEnqueued();
  unwrap(outcome);
}
