/**
 * An operation's guarded UPDATE of the core payment, built for both engines: on its own (repos/operation-write.ts,
 * SQLite) or as the first step of PostgreSQL's one statement per operation (dialect.ts). The WHERE clause re-checks,
 * atomically, the rule the domain already checked on a snapshot; no row means the rule no longer holds. The
 * arithmetic mirrors `applyEvent` in the domain, which replay (invariant P4) relies on.
 */
import { sql, type QueryCreator } from 'kysely';
import { assertNever } from '../domain/assert.ts';
import type { OperationKind } from '../domain/payment-states.ts';
import type { Database } from './schema.ts';

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
        .set({
          state: kind === 'sale' ? 'captured' : 'reserved',
          reserved_ore: amount,
          captured_ore: kind === 'sale' ? amount : 0,
          reserved_at_ms: p.nowMs,
          user_msisdn: p.userMsisdn,
          card_bin: p.cardBin,
          card_id: p.cardId,
          shipping_json: p.shippingJson,
          user_details_json: p.userDetailsJson,
          sub: p.sub,
        })
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

