/**
 * An operation's guarded UPDATE of the core payment, built for both engines: on its own (repos/operation-write.ts,
 * SQLite) or as the first step of PostgreSQL's one statement per operation (dialect.ts). The WHERE clause re-checks,
 * atomically, the rule the domain already checked on a snapshot; no row means the rule no longer holds. The
 * arithmetic mirrors `applyEvent` in the domain, which replay (invariant P4) relies on.
 */
import { sql, type QueryCreator } from 'kysely';
import { assert, assertNever } from '../domain/assert.ts';
import { applyEvent } from '../domain/payment.ts';
import type { OperationKind } from '../domain/payment-states.ts';
import type { Database, PaymentCoreRow } from './schema.ts';

/** What an approval records on the payment: who approved, with which card, and what they shared. */
export interface ApprovalFacts {
  userMsisdn: string;
  cardBin: number | null;
  cardId: string | null;
  /** Express: the chosen address and shipping method. */
  shippingJson?: string | null;
  /** Express or scope: what the user shared. */
  userDetailsJson?: string | null;
  sub?: string | null;
}

/** What an operation's guarded update binds: the operation, and for an approval its facts (null otherwise). */
export interface GuardedOperationArgs {
  paymentId: number;
  kind: OperationKind;
  amountOre: number;
  nowMs: number;
  approval?: ApprovalFacts;
}

export interface GuardedParams {
  paymentId: number;
  amountOre: number;
  nowMs: number;
  userMsisdn: string | null;
  cardBin: number | null;
  cardId: string | null;
  shippingJson: string | null;
  userDetailsJson: string | null;
  sub: string | null;
}

export function guardedParamsOf(args: GuardedOperationArgs): GuardedParams {
  const { approval } = args;
  return {
    paymentId: args.paymentId,
    amountOre: args.amountOre,
    nowMs: args.nowMs,
    userMsisdn: approval?.userMsisdn ?? null,
    cardBin: approval?.cardBin ?? null,
    cardId: approval?.cardId ?? null,
    shippingJson: approval?.shippingJson ?? null,
    userDetailsJson: approval?.userDetailsJson ?? null,
    sub: approval?.sub ?? null,
  };
}

/** What an approval sets: the UPDATE's values (parameters there) and the computed row's alike. */
function approvalSet(kind: 'reserve' | 'sale', p: GuardedParams) {
  return {
    state: kind === 'sale' ? ('captured' as const) : ('reserved' as const),
    reserved_ore: p.amountOre,
    captured_ore: kind === 'sale' ? p.amountOre : 0,
    reserved_at_ms: p.nowMs,
    user_msisdn: p.userMsisdn,
    card_bin: p.cardBin,
    card_id: p.cardId,
    shipping_json: p.shippingJson,
    user_details_json: p.userDetailsJson,
    sub: p.sub,
  };
}

export function guardedUpdate(db: QueryCreator<Database>, kind: OperationKind, withApproval: boolean, p: GuardedParams) {
  const amount = p.amountOre;
  const query = db
    .updateTable('payment')
    .set({ version: sql`version + 1`, updated_at_ms: p.nowMs })
    .where('id', '=', p.paymentId);
  switch (kind) {
    case 'reserve':
    case 'sale':
      return query
        .set(approvalSet(kind, p))
        .where('state', '=', 'initiated')
        .where('expires_at_ms', '>', p.nowMs);
    case 'reserve_failed':
    case 'sale_failed':
      return query
        .set({ state: 'failed', user_msisdn: withApproval ? p.userMsisdn : sql`user_msisdn`, card_id: p.cardId })
        .where('state', '=', 'initiated');
    case 'capture':
      return query
        .set({
          captured_ore: sql`captured_ore + ${amount}`,
          state: sql`CASE WHEN captured_ore + ${amount} + released_ore = reserved_ore THEN 'captured' ELSE 'reserved' END`,
        })
        .where('state', '=', 'reserved')
        .where(sql<boolean>`reserved_ore - captured_ore - released_ore >= ${amount}`);
    case 'capture_failed':
      return query.where('state', '=', 'reserved');
    case 'refund':
      return query
        .set({ refunded_ore: sql`refunded_ore + ${amount}` })
        .where('state', 'in', ['reserved', 'captured'])
        .where(sql<boolean>`captured_ore - refunded_ore >= ${amount}`);
    case 'merchant_cancel':
    case 'user_cancel':
      return query.set({ state: 'cancelled' }).where('state', '=', 'initiated');
    case 'timeout':
      return query.set({ state: 'rejected' }).where('state', '=', 'initiated').where('expires_at_ms', '<=', p.nowMs);
    case 'void':
    case 'release':
      // Exactly the open remainder is released: a capture that slipped in first makes this match nothing.
      return query
        .set({ state: kind === 'void' ? 'voided' : 'captured', released_ore: sql`released_ore + ${amount}` })
        .where('state', '=', 'reserved')
        .where('captured_ore', kind === 'void' ? '=' : '>', 0)
        .where(sql<boolean>`reserved_ore - captured_ore - released_ore = ${amount}`);
    case 'initiate':
      throw new Error('initiate inserts a payment; it is not an update');
    default:
      return assertNever(kind, 'operation kind');
  }
}


/**
 * The row `guardedUpdate` makes of `before`, computed here instead of read back: SQLite's RETURNING costs a temporary
 * table per statement, and on PostgreSQL an operation whose row is known in advance can go out with the COMMIT
 * (repos/operation-write.ts). The amounts and the state are the domain's fold (`applyEvent`, which the SET clauses
 * above mirror), the other columns the same SET; a guard that would match nothing (the WHERE above) fails here too
 * (the caller decided on `before`, locked, so it cannot). `test/store/inserted-rows.test.ts` compares this row with
 * the one the UPDATE wrote, for every kind, on both engines.
 */
export function changedPayment(before: PaymentCoreRow, kind: OperationKind, withApproval: boolean, p: GuardedParams): PaymentCoreRow {
  assert(guardHolds(before, kind, p), `guarded ${kind} of ${p.amountOre} on payment ${before.id} (${before.state}) would match no row`);
  const money = applyEvent(
    {
      state: before.state,
      amountOre: before.amount_ore,
      reservedOre: before.reserved_ore,
      capturedOre: before.captured_ore,
      refundedOre: before.refunded_ore,
      releasedOre: before.released_ore,
    },
    { kind, amountOre: p.amountOre },
  );
  const row: PaymentCoreRow = {
    ...before,
    version: before.version + 1,
    updated_at_ms: p.nowMs,
    state: money.state,
    reserved_ore: money.reservedOre,
    captured_ore: money.capturedOre,
    refunded_ore: money.refundedOre,
    released_ore: money.releasedOre,
  };
  if (kind === 'reserve' || kind === 'sale') return { ...row, ...approvalSet(kind, p) };
  if (kind === 'reserve_failed' || kind === 'sale_failed') return { ...row, user_msisdn: withApproval ? p.userMsisdn : before.user_msisdn, card_id: p.cardId };
  return row;
}

/** The WHERE of `guardedUpdate`, on the row as locked. */
function guardHolds(before: PaymentCoreRow, kind: OperationKind, p: GuardedParams): boolean {
  const open = before.reserved_ore - before.captured_ore - before.released_ore;
  switch (kind) {
    case 'reserve':
    case 'sale':
      return before.state === 'initiated' && before.expires_at_ms > p.nowMs;
    case 'reserve_failed':
    case 'sale_failed':
    case 'merchant_cancel':
    case 'user_cancel':
      return before.state === 'initiated';
    case 'capture':
      return before.state === 'reserved' && open >= p.amountOre;
    case 'capture_failed':
      return before.state === 'reserved';
    case 'refund':
      return (before.state === 'reserved' || before.state === 'captured') && before.captured_ore - before.refunded_ore >= p.amountOre;
    case 'timeout':
      return before.state === 'initiated' && before.expires_at_ms <= p.nowMs;
    case 'void':
    case 'release':
      return before.state === 'reserved' && (kind === 'void' ? before.captured_ore === 0 : before.captured_ore > 0) && open === p.amountOre;
    case 'initiate':
      throw new Error('initiate inserts a payment; it is not an update');
    default:
      return assertNever(kind, 'operation kind');
  }
}
