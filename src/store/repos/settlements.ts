import { sql, type Insertable } from 'kysely';
import type { Executor } from '../db.ts';
import { fields, preparedWrite } from '../prepared.ts';
import type { ReportEntryTable, ReportTopic, SettlementBookingTable, SettlementTable } from '../schema.ts';

/** The back office's reads and writes: bookings, closed ledger dates, settlements and report entries (insert-only). */

type NewBooking = Required<Omit<Insertable<SettlementBookingTable>, 'id'>>;
const BOOKING_COLUMNS = ['msn', 'operation_id', 'payment_id', 'order_id', 'kind', 'amount_ore', 'fee_ore', 'ledger_date', 'booked_at_ms'] as const;
const insertBooking = preparedWrite<NewBooking>((db, p) => db.insertInto('settlement_booking').values(fields(p, BOOKING_COLUMNS)));

export async function insertSettlementBooking(db: Executor, row: NewBooking): Promise<void> {
  await insertBooking.run(db, row);
}

/** Every sales unit with its settlement terms and the last ledger date it closed. */
export async function salesUnitsWithLastClose(db: Executor) {
  return db
    .selectFrom('sales_unit')
    .leftJoin(
      (eb) => eb.selectFrom('ledger_date_close').select(['msn', (e) => e.fn.max('ledger_date').as('last_closed')]).groupBy('msn').as('c'),
      (join) => join.onRef('c.msn', '=', 'sales_unit.msn'),
    )
    .select(['sales_unit.msn', 'sales_unit.created_at_ms', 'c.last_closed'])
    .orderBy('sales_unit.msn')
    .execute();
}

/** One statement for all the dates: a date another node closed first fails it at once. Callers pass at most a month or so. */
export async function insertLedgerDateCloses(db: Executor, msn: string, ledgerDates: readonly string[], closedAtMs: number): Promise<void> {
  await db
    .insertInto('ledger_date_close')
    .values(ledgerDates.map((ledgerDate) => ({ msn, ledger_date: ledgerDate, closed_at_ms: closedAtMs })))
    .execute();
}

/** Which of a sales unit's ledger dates from `fromDate` to `toDate` (inclusive) have bookings. */
export async function ledgerDatesWithBookings(db: Executor, msn: string, fromDate: string, toDate: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('settlement_booking')
    .select('ledger_date')
    .distinct()
    .where('msn', '=', msn)
    .where('ledger_date', '>=', fromDate)
    .where('ledger_date', '<=', toDate)
    .execute();
  return new Set(rows.map((row) => row.ledger_date));
}

export async function isLedgerDateClosed(db: Executor, msn: string, ledgerDate: string): Promise<boolean> {
  const row = await db.selectFrom('ledger_date_close').select('msn').where('msn', '=', msn).where('ledger_date', '=', ledgerDate).executeTakeFirst();
  return row !== undefined;
}

export async function firstClosedDate(db: Executor, msn: string): Promise<string | undefined> {
  const row = await db.selectFrom('ledger_date_close').select((eb) => eb.fn.min('ledger_date').as('first')).where('msn', '=', msn).executeTakeFirst();
  return row?.first ?? undefined;
}

/** Captures, refunds and capture fees booked on ledger dates from..to (inclusive). */
export async function bookingTotals(db: Executor, msn: string, fromDate: string, toDate: string) {
  const rows = await db
    .selectFrom('settlement_booking')
    .select(['kind', (eb) => eb.fn.sum<string | number>('amount_ore').as('amount'), (eb) => eb.fn.sum<string | number>('fee_ore').as('fees'), (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('msn', '=', msn)
    .where('ledger_date', '>=', fromDate)
    .where('ledger_date', '<=', toDate)
    .groupBy('kind')
    .execute();
  const of = (kind: string) => rows.find((r) => r.kind === kind);
  return {
    capturesOre: Number(of('capture')?.amount ?? 0),
    refundsOre: Number(of('refund')?.amount ?? 0),
    feesOre: Number(of('capture')?.fees ?? 0),
    bookings: Number(of('capture')?.n ?? 0) + Number(of('refund')?.n ?? 0),
  };
}

export async function bookingsBetween(db: Executor, msn: string, fromDate: string, toDate: string) {
  return db
    .selectFrom('settlement_booking')
    .selectAll()
    .where('msn', '=', msn)
    .where('ledger_date', '>=', fromDate)
    .where('ledger_date', '<=', toDate)
    .orderBy('id')
    .execute();
}

export async function lastSettlement(db: Executor, msn: string) {
  return db.selectFrom('settlement').selectAll().where('msn', '=', msn).orderBy('ledger_date_to', 'desc').limit(1).executeTakeFirst();
}

export async function insertSettlement(db: Executor, row: Insertable<SettlementTable>): Promise<number> {
  const { id } = await db.insertInto('settlement').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(id);
}

export async function lastReportBalance(db: Executor, msn: string, topic: ReportTopic): Promise<number> {
  const row = await db.selectFrom('report_entry').select('balance_after_ore').where('msn', '=', msn).where('topic', '=', topic).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return Number(row?.balance_after_ore ?? 0);
}

/**
 * The report entries of a ledger date's bookings, written by one INSERT…SELECT per topic instead of a row each from
 * JavaScript (the settlement job's cost was per capture: binding, Kysely's value parsing and statement building).
 * Funds: each booking in booking order, captures +amount, refunds −amount. Fees: each capture's fee (+) where it has
 * one. Each entry continues its topic's balance from `startBalanceOre`: balanceAfter is the running sum up to and
 * including the entry, balanceBefore = balanceAfter − amount. Ids follow the booking order (the SELECT's ORDER BY),
 * so the feed's order is the balances' order. Returns the topic's balance after the date's entries.
 */
export async function insertBookingReportEntries(
  db: Executor,
  args: { msn: string; ledgerDate: string; topic: ReportTopic; startBalanceOre: number },
): Promise<number> {
  const { msn, ledgerDate, topic, startBalanceOre } = args;
  const amount = topic === 'funds' ? sql`CASE b.kind WHEN 'capture' THEN b.amount_ore ELSE -b.amount_ore END` : sql`b.fee_ore`;
  const entryType = topic === 'funds' ? sql`b.kind` : sql`'capture-fee'`;
  const onlyFees = topic === 'fees' ? sql`AND b.kind = 'capture' AND b.fee_ore > 0` : sql``;
  await sql`
    INSERT INTO report_entry (msn, topic, ledger_date, entry_type, amount_ore, balance_before_ore, balance_after_ore,
                              operation_id, psp_reference, reference, occurred_at_ms, settlement_id)
    SELECT msn, ${topic}, ledger_date, entry_type, amount, running - amount, running, operation_id, NULL, order_id, booked_at_ms, NULL
    FROM (
      SELECT b.id, b.msn, b.ledger_date, ${entryType} AS entry_type, ${amount} AS amount, b.operation_id, b.order_id, b.booked_at_ms,
             CAST(${startBalanceOre} AS BIGINT) + SUM(${amount}) OVER (ORDER BY b.id ROWS UNBOUNDED PRECEDING) AS running
      FROM settlement_booking b
      WHERE b.msn = ${msn} AND b.ledger_date = ${ledgerDate} ${onlyFees}
    ) AS day
    ORDER BY id`.execute(db);
  return lastReportBalance(db, msn, topic);
}

/** Rows per INSERT: 12 columns × 1000 stays under SQLite's 32 766 bound variables and PostgreSQL's 65 535. */
const INSERT_CHUNK = 1000;

export async function insertReportEntries(db: Executor, rows: readonly Insertable<ReportEntryTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto('report_entry').values(rows.slice(i, i + INSERT_CHUNK)).execute();
}

/** Report entries of one topic in the order they were written, after a cursor id, optionally of one ledger date. */
export async function reportEntriesAfter(db: Executor, args: { msn: string; topic: ReportTopic; afterId: number; limit: number; ledgerDate?: string }) {
  let query = db
    .selectFrom('report_entry')
    .selectAll()
    .where('msn', '=', args.msn)
    .where('topic', '=', args.topic)
    .where('id', '>', args.afterId);
  if (args.ledgerDate !== undefined) query = query.where('ledger_date', '=', args.ledgerDate);
  return query.orderBy('id').limit(args.limit).execute();
}

/** Settlements whose payout the merchant's bank books by `nowMs` and has not yet booked. */
export async function settlementsDueForBankBooking(db: Executor, nowMs: number, limit: number) {
  return db
    .selectFrom('settlement')
    .selectAll()
    .where('bank_booked_at_ms', '<=', nowMs)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('settlement_bank_booking').select('settlement_id').whereRef('settlement_bank_booking.settlement_id', '=', 'settlement.id'))),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function insertSettlementBankBooking(db: Executor, settlementId: number, msn: string, bookedAtMs: number): Promise<void> {
  await db.insertInto('settlement_bank_booking').values({ settlement_id: settlementId, msn, booked_at_ms: bookedAtMs }).execute();
}

/** A sales unit's settlements with when the bank booked each (null until then). */
function settlementsOfUnit(db: Executor, msn: string) {
  return db
    .selectFrom('settlement')
    .leftJoin('settlement_bank_booking', 'settlement_bank_booking.settlement_id', 'settlement.id')
    .selectAll('settlement')
    .select('settlement_bank_booking.booked_at_ms as bank_booked_ms')
    .where('settlement.msn', '=', msn);
}

/** Newest first. */
export async function listSettlements(db: Executor, msn: string) {
  return settlementsOfUnit(db, msn).orderBy('settlement.ledger_date_to', 'desc').execute();
}

export async function findSettlement(db: Executor, msn: string, settlementId: number) {
  return settlementsOfUnit(db, msn).where('settlement.id', '=', settlementId).executeTakeFirst();
}

