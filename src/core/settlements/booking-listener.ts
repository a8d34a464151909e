import { osloDateOf } from '../../domain/bank-calendar.ts';
import { captureFeeOre } from '../../domain/settlement.ts';
import { insertSettlementBooking } from '../../store/repos/settlements.ts';
import type { OperationListener } from '../context.ts';
import { salesUnitIn } from '../sales-unit-in-tx.ts';

/**
 * Books every capture, direct-capture SALE and refund on its sales unit's ledger for the Oslo date it happened, in
 * the transaction that recorded it, with the capture fee of the sales unit's terms at that moment.
 */
export const settlementBookingListener: OperationListener = async (tx, payment, operation) => {
  if (operation.kind !== 'capture' && operation.kind !== 'sale' && operation.kind !== 'refund') return;
  const unit = await salesUnitIn(tx, operation.msn);
  if (!unit) throw new Error(`sales unit ${operation.msn} of a recorded operation does not exist`);
  const kind = operation.kind === 'refund' ? 'refund' : 'capture';
  await insertSettlementBooking(tx.trx, {
    msn: operation.msn,
    operation_id: operation.id,
    payment_id: payment.id,
    order_id: payment.order_id,
    kind,
    amount_ore: operation.amount_ore,
    fee_ore: kind === 'capture' ? captureFeeOre(operation.amount_ore, unit.fee_basis_points, unit.fee_fixed_ore) : 0,
    ledger_date: osloDateOf(operation.created_at_ms),
    booked_at_ms: operation.created_at_ms,
  });
};
