import type { Kysely, Migration } from 'kysely';
import { replay } from '../../domain/payment.ts';
import type { OperationKind } from '../../domain/payment-states.ts';

/** The 10-digit transactionId ecomm v2 showed for an operation row (channels/ecomm-v2/presenters.ts). */
const TRANSACTION_ID_BASE = 5_000_000_000;

interface LegacyRow {
  msn: string;
  order_id: string;
  operation: string;
  request_id: string;
  outcome_json: string;
}

type LegacyOutcome =
  | { ok: true; value: { transactionInfo?: { transactionId?: string }; transaction?: { transactionId?: string } } }
  | { ok: false; key: string; message: string };

/**
 * Idempotency keys stored before the core was channel-neutral kept the ecomm v2 answer itself; they now keep the domain
 * result (the recorded operation, with the payment as it was right after it), which the channel renders. A retry of
 * such a request after the upgrade must still get the same answer and no second effect (P5), so each stored answer is
 * turned into the result it was rendered from: the operation is the row its transactionId names, and the payment is
 * the row with its money replayed from the operation log up to that operation (what the answer's summary showed).
 * A stored refusal keeps its text as the detail, so it renders the same message.
 */
export function domainIdempotencyOutcomes(): Migration {
  return {
    async up(db: Kysely<any>) {
      const rows: LegacyRow[] = await db
        .selectFrom('idempotency_key')
        .select(['msn', 'order_id', 'operation', 'request_id', 'outcome_json'])
        .where('outcome_json', 'is not', null)
        .execute();
      for (const row of rows) {
        const legacy = JSON.parse(row.outcome_json) as LegacyOutcome;
        const converted = await convert(db, legacy);
        if (converted === null) continue;
        await db
          .updateTable('idempotency_key')
          .set({ outcome_json: JSON.stringify(converted) })
          .where('msn', '=', row.msn)
          .where('order_id', '=', row.order_id)
          .where('operation', '=', row.operation)
          .where('request_id', '=', row.request_id)
          .execute();
      }
    },
  };
}

/** null: already in the new form (or an answer with no operation, such as force approve's empty body). */
async function convert(db: Kysely<any>, legacy: LegacyOutcome): Promise<object | null> {
  if (!legacy.ok) return 'key' in legacy ? { ok: false, reason: legacy.key, detail: legacy.message } : null;
  const transactionId = legacy.value.transactionInfo?.transactionId ?? legacy.value.transaction?.transactionId;
  if (transactionId === undefined) return null;
  const operation = await db.selectFrom('payment_operation').selectAll().where('id', '=', Number(transactionId) - TRANSACTION_ID_BASE).executeTakeFirstOrThrow();
  const payment = await db.selectFrom('payment').selectAll().where('id', '=', operation.payment_id).executeTakeFirstOrThrow();
  const log: Array<{ kind: OperationKind; amount_ore: number }> = await db
    .selectFrom('payment_operation')
    .select(['kind', 'amount_ore'])
    .where('payment_id', '=', operation.payment_id)
    .where('seq', '<=', operation.seq)
    .orderBy('seq')
    .execute();
  const money = replay(log.map((op) => ({ kind: op.kind, amountOre: Number(op.amount_ore) })));
  if (money === null) throw new Error(`operation ${operation.id} has no replayable log`);
  const asOfOperation = {
    ...payment,
    state: money.state,
    reserved_ore: money.reservedOre,
    captured_ore: money.capturedOre,
    refunded_ore: money.refundedOre,
    released_ore: money.releasedOre,
    version: operation.seq,
  };
  return { ok: true, value: { payment: asOfOperation, operation } };
}
