import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import type { OperationRow, PaymentCoreRow } from '../schema.ts';

/** The reads of `kasse reconcile` (core/reconcile): whole-database checks, each bounded or paged. */

/** L1: entries whose lines do not sum to 0. */
export async function findUnbalancedEntries(db: Executor, limit: number) {
  return db
    .selectFrom('ledger_line')
    .select(['entry_id', (eb) => eb.fn.sum<number>('amount_ore').as('total')])
    .groupBy('entry_id')
    .having((eb) => eb.fn.sum('amount_ore'), '!=', 0)
    .limit(limit)
    .execute();
}

export async function ledgerTotals(db: Executor) {
  return db
    .selectFrom('ledger_line')
    .select([(eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_ore'), sql<number>`0`).as('total'), (eb) => eb.fn.countAll<number>().as('n')])
    .executeTakeFirstOrThrow();
}

/** P3: (msn, orderId) pairs held by more than one payment. */
export async function findDuplicateOrders(db: Executor, limit: number) {
  return db
    .selectFrom('payment')
    .select(['msn', 'order_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['msn', 'order_id'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(limit)
    .execute();
}

export async function paymentsAfter(db: Executor, afterId: number, limit: number): Promise<PaymentCoreRow[]> {
  return db.selectFrom('payment').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function operationsOfPayments(db: Executor, paymentIds: number[]): Promise<OperationRow[]> {
  return db.selectFrom('payment_operation').selectAll().where('payment_id', 'in', paymentIds).orderBy('payment_id').orderBy('seq').execute();
}

/** L3: each payment's balance per account. */
export async function ledgerBalancesOfPayments(db: Executor, paymentIds: number[]) {
  return db
    .selectFrom('ledger_line')
    .select(['payment_id', 'account', (eb) => eb.fn.sum<number>('amount_ore').as('total')])
    .where('payment_id', 'in', paymentIds)
    .groupBy(['payment_id', 'account'])
    .execute();
}

/** P5: keys that committed without the outcome their first request must store with them. */
export async function findIdempotencyKeysWithoutOutcome(db: Executor) {
  return db.selectFrom('idempotency_key').select(['msn', 'order_id', 'operation', 'request_id']).where('outcome_json', 'is', null).execute();
}

export async function countIdempotencyKeys(db: Executor) {
  return db.selectFrom('idempotency_key').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
}

/** O2, O3: each outbox row with how many attempts were recorded and how many answered 2xx. */
export async function outboxAttemptSummaries(db: Executor) {
  return db
    .selectFrom('outbox')
    .leftJoin('callback_attempt', 'callback_attempt.outbox_id', 'outbox.id')
    .select([
      'outbox.id',
      'outbox.state',
      'outbox.attempts',
      'outbox.max_attempts',
      (eb) => eb.fn.count<number>('callback_attempt.id').as('recorded'),
      sql<number>`SUM(CASE WHEN callback_attempt.http_status BETWEEN 200 AND 299 THEN 1 ELSE 0 END)`.as('successes'),
    ])
    .groupBy(['outbox.id', 'outbox.state', 'outbox.attempts', 'outbox.max_attempts'])
    .execute();
}

/** L5: lines that do not carry their entry's operation and payment, and entries with fewer than two lines. */
export async function findMisfiledLedgerLines(db: Executor, limit: number) {
  return db
    .selectFrom('ledger_line')
    .innerJoin('ledger_entry', 'ledger_entry.id', 'ledger_line.entry_id')
    .select(['ledger_line.id as lineId', 'ledger_entry.id as entryId'])
    .where((eb) =>
      eb.or([
        eb(sql.ref('ledger_line.operation_id'), 'is distinct from', sql.ref('ledger_entry.operation_id')),
        eb(sql.ref('ledger_line.payment_id'), 'is distinct from', sql.ref('ledger_entry.payment_id')),
        eb('ledger_line.msn', '!=', eb.ref('ledger_entry.msn')),
      ]),
    )
    .limit(limit)
    .execute();
}

export async function findEntriesWithoutTwoLines(db: Executor, limit: number) {
  return db
    .selectFrom('ledger_entry')
    .leftJoin('ledger_line', 'ledger_line.entry_id', 'ledger_entry.id')
    .select(['ledger_entry.id', (eb) => eb.fn.count<number>('ledger_line.id').as('lines')])
    .groupBy('ledger_entry.id')
    .having((eb) => eb.fn.count('ledger_line.id'), '<', 2)
    .limit(limit)
    .execute();
}

/** L6: capture, SALE and refund operations without a booking of their amount and MSN, and bookings without such an operation. */
export async function findMisbookedOperations(db: Executor, limit: number) {
  const unbooked = await db
    .selectFrom('payment_operation')
    .leftJoin('settlement_booking', 'settlement_booking.operation_id', 'payment_operation.id')
    .select(['payment_operation.id as operationId', 'payment_operation.kind', 'settlement_booking.id as bookingId'])
    .where('payment_operation.kind', 'in', ['capture', 'sale', 'refund'])
    .where((eb) =>
      eb.or([
        eb('settlement_booking.id', 'is', null),
        eb('settlement_booking.amount_ore', '!=', eb.ref('payment_operation.amount_ore')),
        eb('settlement_booking.msn', '!=', eb.ref('payment_operation.msn')),
        eb('settlement_booking.kind', '!=', sql<'capture' | 'refund'>`CASE WHEN payment_operation.kind = 'refund' THEN 'refund' ELSE 'capture' END`),
      ]),
    )
    .limit(limit)
    .execute();
  const orphans = await db
    .selectFrom('settlement_booking')
    .leftJoin('payment_operation', 'payment_operation.id', 'settlement_booking.operation_id')
    .select(['settlement_booking.id as bookingId'])
    .where((eb) => eb.or([eb('payment_operation.id', 'is', null), eb('payment_operation.kind', 'not in', ['capture', 'sale', 'refund'])]))
    .limit(limit)
    .execute();
  return { unbooked, orphans };
}

/** L7/L8: every settlement, with whether the bank booked it. */
export async function allSettlements(db: Executor) {
  return db
    .selectFrom('settlement')
    .leftJoin('settlement_bank_booking', 'settlement_bank_booking.settlement_id', 'settlement.id')
    .selectAll('settlement')
    .select('settlement_bank_booking.settlement_id as bank_booked')
    .orderBy('settlement.msn')
    .orderBy('settlement.ledger_date_from')
    .execute();
}

/** L7/L8: bookings summed per sales unit, ledger date and kind. */
export async function bookingSumsByDate(db: Executor) {
  return db
    .selectFrom('settlement_booking')
    .select(['msn', 'ledger_date', 'kind', (eb) => eb.fn.sum<string | number>('amount_ore').as('amount'), (eb) => eb.fn.sum<string | number>('fee_ore').as('fees')])
    .groupBy(['msn', 'ledger_date', 'kind'])
    .execute();
}

/** L8: the back office's account balances per sales unit. */
export async function backOfficeBalances(db: Executor) {
  return db
    .selectFrom('ledger_line')
    .select(['msn', 'account', (eb) => eb.fn.sum<string | number>('amount_ore').as('total')])
    .where('account', 'in', ['merchant_payable', 'fees', 'settlement_in_transit', 'merchant_bank'])
    .groupBy(['msn', 'account'])
    .execute();
}
