import { sql, type Insertable, type Kysely, type SelectQueryBuilder, type UpdateQueryBuilder } from 'kysely';
import type { Executor } from '../db.ts';
import { lockedPaymentOf, paymentForUpdate, type DialectKind, type LockedPayment } from '../dialect.ts';
import { prefixedColumns, splitPrefixed } from '../prefixed-columns.ts';
import { prepared, preparedWrite, together, type BoundQuery } from '../prepared.ts';
import { heldGuardedUpdate } from '../write-guard.ts';
import { CARD_COLUMNS, type BankRow, type Database, type BankTable, type CardHoldRow, type CardRow, type HoldStatus, type CardTable, type TestUserRow } from '../schema.ts';

// The statements of a payment's bank steps, prepared once (src/store/prepared.ts).
const bankById = prepared<{ id: string }, BankRow>((db, p) => db.selectFrom('bank').selectAll().where('id', '=', p.id));
const bankOfCard = prepared<{ cardId: string }, BankRow>((db, p) =>
  db.selectFrom('card').innerJoin('bank', 'bank.id', 'card.bank_id').selectAll('bank').where('card.id', '=', p.cardId),
);
const bankOfPaymentCard = prepared<{ msn: string; orderId: string }, BankRow>((db, p) =>
  db
    .selectFrom('payment')
    .innerJoin('card', 'card.id', 'payment.card_id')
    .innerJoin('bank', 'bank.id', 'card.bank_id')
    .selectAll('bank')
    .where('payment.msn', '=', p.msn)
    .where('payment.order_id', '=', p.orderId),
);
/** A card with how long its bank holds reserved funds (null: the card's bank is gone). */
export type CardWithHoldDays = CardRow & { bank_hold_days: number | null };
/** Cards with their bank's hold period (a LEFT JOIN: a card whose bank is gone still reads, with null). */
const cardsWithHoldDays = (db: Executor) =>
  db.selectFrom('card').leftJoin('bank', 'bank.id', 'card.bank_id').selectAll('card').select('bank.hold_days as bank_hold_days');
/** The order a user's cards are offered in: the default first, then the oldest (of the `card` in scope). */
const OFFERED_FIRST = sql`card.is_default DESC, card.created_at_ms, card.id`;
const cardsOfUser = prepared<{ msisdn: string }, CardWithHoldDays>((db, p) =>
  cardsWithHoldDays(db).where('card.msisdn', '=', p.msisdn).orderBy(OFFERED_FIRST),
);
const CARD_PREFIX = 'card__';
/**
 * A user with the card they pay with when they pick none (cardsOfUser's first), its bank's hold period beside it,
 * in one read: an approval's user and card were two.
 */
const userWithDefaultCard = prepared<{ msisdn: string }, Record<string, unknown>>((db, p) =>
  db
    .selectFrom('test_user')
    .leftJoin('card', (join) =>
      join.on((eb) =>
        // The subquery's `card` is its own (it shadows the joined one): the user's cards, the offered one first.
        eb('card.id', '=', eb.selectFrom('card').select('card.id').whereRef('card.msisdn', '=', 'test_user.msisdn').orderBy(OFFERED_FIRST).limit(1)),
      ),
    )
    .leftJoin('bank', 'bank.id', 'card.bank_id')
    .selectAll('test_user')
    .select(prefixedColumns('card', CARD_COLUMNS, CARD_PREFIX))
    .select(sql.ref('bank.hold_days').as(`${CARD_PREFIX}bank_hold_days`))
    .where('test_user.msisdn', '=', p.msisdn),
);
const cardById = prepared<{ id: string }, CardWithHoldDays>((db, p) => cardsWithHoldDays(db).where('card.id', '=', p.id));
type Debit = { cardId: string; amountOre: number };
const debitQuery = (db: Kysely<Database>, p: Debit) => db.updateTable('card').set({ available_ore: sql`available_ore - ${p.amountOre}` }).where('id', '=', p.cardId);
const debitIfFundsQuery = (db: Kysely<Database>, p: Debit) => debitQuery(db, p).where('available_ore', '>=', p.amountOre);
const debitIfFunds = prepared<Debit, never>(debitIfFundsQuery);
const debitAssumingFunds = heldGuardedUpdate<Debit>('card_funds', debitIfFundsQuery);
const debitForced = prepared<Debit, never>(debitQuery);
/** A payment's hold is its latest (a capture after a lapse charges the card anew and leaves no new hold). */
const latestOfPayment = <O>(holds: SelectQueryBuilder<Database, 'card_hold', O>, paymentId: number) =>
  holds.where('card_hold.payment_id', '=', paymentId).orderBy('card_hold.id', 'desc').limit(1);
const latestHoldOfPayment = prepared<{ paymentId: number }, CardHoldRow>((db, p) => latestOfPayment(db.selectFrom('card_hold').selectAll(), p.paymentId));

export async function insertBankIfAbsent(db: Executor, row: Insertable<BankTable>): Promise<void> {
  await db.insertInto('bank').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function upsertBank(db: Executor, row: Insertable<BankTable>): Promise<void> {
  const { id: _id, created_at_ms: _c, ...changes } = row;
  await db.insertInto('bank').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changes)).execute();
}

export async function findBank(db: Executor, id: string) {
  return bankById.first(db, { id });
}

/** The bank that issued a card, in one statement (undefined when the card is gone). */
export async function findBankOfCard(db: Executor, cardId: string) {
  return bankOfCard.first(db, { cardId });
}

/** The bank of the card the order was paid with, not run yet: to go `together` with the order's locked read. */
export function paymentCardBank(db: Executor, msn: string, orderId: string): BoundQuery<BankRow> {
  return bankOfPaymentCard.bind(db, { msn, orderId });
}

export async function listBanks(db: Executor) {
  return db.selectFrom('bank').selectAll().orderBy('name').execute();
}

export async function insertCard(db: Executor, row: Insertable<CardTable>): Promise<void> {
  await db.insertInto('card').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function listCards(db: Executor, msisdn: string): Promise<CardWithHoldDays[]> {
  return cardsOfUser.all(db, { msisdn });
}

/** A card, with its bank's hold period: what an approval needs of both, in one read. */
export async function findCard(db: Executor, id: string): Promise<CardWithHoldDays | undefined> {
  return cardById.first(db, { id });
}

/** The card a user pays with when they pick none (their default, else their oldest), with its bank's hold period. */
export async function findDefaultCard(db: Executor, msisdn: string): Promise<CardWithHoldDays | undefined> {
  return (await cardsOfUser.all(db, { msisdn }))[0];
}

/** A user and the card they pay with when they pick none (undefined: no card), or undefined when there is no such user. */
export type UserWithDefaultCard = { user: TestUserRow; card: CardWithHoldDays | undefined };

export async function findUserWithDefaultCard(db: Executor, msisdn: string): Promise<UserWithDefaultCard | undefined> {
  return userWithDefaultCardOf(await userWithDefaultCard.first(db, { msisdn }));
}

function userWithDefaultCardOf(row: Record<string, unknown> | undefined): UserWithDefaultCard | undefined {
  if (row === undefined) return undefined;
  const [user, card] = splitPrefixed<TestUserRow, CardWithHoldDays>(row, CARD_PREFIX);
  return { user, card: card.id === null ? undefined : card };
}

/**
 * An approval's two reads in one round trip on PostgreSQL: the payment locked (dialect.ts loadPaymentForUpdate) and
 * the approving user with their default card (findUserWithDefaultCard); neither waits for the other's answer.
 */
export async function lockPaymentAndFindUser(
  db: Executor,
  kind: DialectKind,
  order: { msn: string; orderId: string },
  msisdn: string,
): Promise<{ locked: LockedPayment | undefined; user: UserWithDefaultCard | undefined }> {
  const [payment, user] = await together(db, paymentForUpdate(db, kind, order.msn, order.orderId), userWithDefaultCard.bind(db, { msisdn }));
  return { locked: lockedPaymentOf(kind, payment.rows[0]), user: userWithDefaultCardOf(user.rows[0]) };
}

/**
 * Take money from a card as one guarded statement: only when the funds are there, unless the issuer forces it
 * through (then the balance may go negative). False when the issuer refuses.
 */
export async function debitCard(db: Executor, cardId: string, amountOre: number, forceThrough: boolean): Promise<boolean> {
  return (await (forceThrough ? debitForced : debitIfFunds).affected(db, { cardId, amountOre })) === 1;
}

/**
 * debitCard's guarded debit, not waited for (PostgreSQL, `Tx.optimistic`): if the card lacks the funds after all, the
 * transaction fails and runs again with debitCard (store/write-guard.ts).
 */
export async function debitCardAssumingFunds(db: Executor, cardId: string, amountOre: number): Promise<void> {
  await debitAssumingFunds.run(db, { cardId, amountOre });
}

export async function creditCard(db: Executor, cardId: string, amountOre: number): Promise<void> {
  await db.updateTable('card').set({ available_ore: sql`available_ore + ${amountOre}` }).where('id', '=', cardId).execute();
}

type NewHold = { card_id: string; payment_id: number; msn: string; amount_ore: number; captured_ore: number; status: 'held' | 'settled'; lapses_at_ms: number; nowMs: number };
const insertHoldRow = preparedWrite<NewHold>((db, p) =>
  db.insertInto('card_hold').values({
    card_id: p.card_id,
    payment_id: p.payment_id,
    msn: p.msn,
    amount_ore: p.amount_ore,
    captured_ore: p.captured_ore,
    status: p.status,
    lapses_at_ms: p.lapses_at_ms,
    settles_at_ms: null,
    created_at_ms: p.nowMs,
    updated_at_ms: p.nowMs,
  }),
);

export async function insertHold(db: Executor, row: NewHold): Promise<void> {
  await insertHoldRow.run(db, row);
}

export async function findHoldForPayment(db: Executor, paymentId: number): Promise<CardHoldRow | undefined> {
  return latestHoldOfPayment.first(db, { paymentId });
}

/**
 * Charge part of the payment's hold (its latest): only while the hold is live, has not reached its lapse time and
 * keeps at least the amount (the money already left the card when it was held). A capture that takes what is left
 * settles the hold in the same statement. Finding the hold and charging it are one statement, one round trip on
 * PostgreSQL. Undefined when no such hold could pay it.
 */
export async function captureFromLiveHold(
  db: Executor,
  paymentId: number,
  amountOre: number,
  nowMs: number,
): Promise<{ holdId: number; settled: boolean } | undefined> {
  const row = await captureFromLatestLiveHold.first(db, { paymentId, amountOre, nowMs });
  return row && { holdId: row.id, settled: row.status === 'settled' };
}
type HoldCharge = { paymentId: number; amountOre: number; nowMs: number };
/** The payment's latest hold, only while it is live, before its lapse time and keeps at least the amount. */
const whereLiveHoldCanPay = <O>(update: UpdateQueryBuilder<Database, 'card_hold', 'card_hold', O>, p: HoldCharge) =>
  update
    // The subquery's `card_hold` is its own (it shadows the updated one).
    .where('id', '=', (eb) => latestOfPayment(eb.selectFrom('card_hold').select('card_hold.id'), p.paymentId))
    .where('status', '=', 'held')
    .where('lapses_at_ms', '>', p.nowMs)
    .where(sql<boolean>`amount_ore - captured_ore >= ${p.amountOre}`);
/** What a charge takes from the hold; one that takes what is left settles it (SET sees the row before the UPDATE). */
const takesTheRest = (p: HoldCharge) => sql<boolean>`amount_ore - captured_ore = ${p.amountOre}`;
/** The charge itself: the amount captured from the hold, settled when it took the rest. */
const chargeOf = (p: HoldCharge) => ({
  captured_ore: sql<number>`captured_ore + ${p.amountOre}`,
  status: sql<HoldStatus>`case when ${takesTheRest(p)} then 'settled' else status end`,
  updated_at_ms: p.nowMs,
});
const captureFromLatestLiveHold = prepared<HoldCharge, { id: number; status: string }>((db, p) =>
  whereLiveHoldCanPay(db.updateTable('card_hold').set(chargeOf(p)), p).returning(['id', 'status']),
);
/** captureFromLiveHold and, for a partial capture, scheduleHoldSettlement, as one guarded update not waited for. */
const captureAssumingLiveHold = heldGuardedUpdate<HoldCharge & { settlesAtMs: number }>('live_hold', (db, p) =>
  whereLiveHoldCanPay(
    db.updateTable('card_hold').set({
      ...chargeOf(p),
      settles_at_ms: sql<number | null>`case when ${takesTheRest(p)} then settles_at_ms else coalesce(settles_at_ms, ${p.settlesAtMs}) end`,
    }),
    p,
  ),
);

/**
 * captureFromLiveHold, then scheduleHoldSettlement for a partial capture, in one UPDATE not waited for (PostgreSQL,
 * `Tx.optimistic`): if no live hold can pay after all, the transaction fails and runs again with the two
 * (store/write-guard.ts).
 */
export async function captureAssumingHoldPays(db: Executor, charge: HoldCharge & { settlesAtMs: number }): Promise<void> {
  await captureAssumingLiveHold.run(db, charge);
}

export async function scheduleHoldSettlement(db: Executor, holdId: number, settlesAtMs: number, nowMs: number): Promise<void> {
  await db
    .updateTable('card_hold')
    .set({ settles_at_ms: settlesAtMs, updated_at_ms: nowMs })
    .where('id', '=', holdId)
    .where('settles_at_ms', 'is', null)
    .execute();
}

/**
 * End a hold and give what it still keeps back to the card, once: the status guard makes a lapse racing a
 * release or a settlement return the money exactly one time.
 */
export async function endHold(db: Executor, hold: CardHoldRow, status: 'lapsed' | 'settled' | 'released', nowMs: number): Promise<boolean> {
  const ended = await db
    .updateTable('card_hold')
    .set({ status, updated_at_ms: nowMs })
    .where('id', '=', hold.id)
    .where('status', '=', 'held')
    .returning(['amount_ore', 'captured_ore'])
    .executeTakeFirst();
  if (!ended) return false;
  const remainingOre = ended.amount_ore - ended.captured_ore;
  if (remainingOre > 0) await creditCard(db, hold.card_id, remainingOre);
  return true;
}

/** Holds whose time is up: lapsed at the bank, or a partial capture the bank has now settled. */
export async function findDueHolds(db: Executor, nowMs: number, limit: number): Promise<CardHoldRow[]> {
  // Held holds that lapse or settle by now, oldest first. Asked as two index ranges (card_hold_due,
  // card_hold_settles) and merged: written as one OR, both engines read every held hold on every job pass.
  const due = (column: 'lapses_at_ms' | 'settles_at_ms') =>
    db.selectFrom('card_hold').selectAll().where('status', '=', 'held').where(column, '<=', nowMs).orderBy('id').limit(limit).execute();
  const byId = new Map<number, CardHoldRow>();
  for (const hold of [...(await due('lapses_at_ms')), ...(await due('settles_at_ms'))]) byId.set(hold.id, hold);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(0, limit);
}

type NewCardCredit = { card_id: string; payment_id: number; msn: string; amount_ore: number; due_at_ms: number; created_at_ms: number };
const insertCredit = preparedWrite<NewCardCredit>((db, p) =>
  db.insertInto('card_credit').values({
    card_id: p.card_id,
    payment_id: p.payment_id,
    msn: p.msn,
    amount_ore: p.amount_ore,
    due_at_ms: p.due_at_ms,
    created_at_ms: p.created_at_ms,
    applied_at_ms: null,
  }),
);

export async function insertCardCredit(db: Executor, row: NewCardCredit): Promise<void> {
  await insertCredit.run(db, row);
}

/** Refunds that have arrived at the bank by now: credit each card once (guarded by applied_at_ms). */
export async function applyDueCardCredits(db: Executor, nowMs: number): Promise<number> {
  const due = await db.selectFrom('card_credit').selectAll().where('applied_at_ms', 'is', null).where('due_at_ms', '<=', nowMs).limit(500).execute();
  let applied = 0;
  for (const credit of due) {
    const result = await db.updateTable('card_credit').set({ applied_at_ms: nowMs }).where('id', '=', credit.id).where('applied_at_ms', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) continue;
    await creditCard(db, credit.card_id, credit.amount_ore);
    applied++;
  }
  return applied;
}
