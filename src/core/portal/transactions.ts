import { osloMidnightMs } from '../../domain/bank-calendar.ts';
import { isoTimestamp } from '../../domain/clock.ts';
import { PAYMENT_STATES, type PaymentState } from '../../domain/payment-states.ts';
import { InvalidRequestError } from '../../domain/refusals.ts';
import { nextDate } from '../../domain/settlement.ts';
import { searchPayments, type PaymentListRow, type PaymentSearch } from '../../store/repos/portal.ts';
import type { AppContext } from '../context.ts';
import { given } from './form-input.ts';
import { ownUnit, type MerchantScope } from './scope.ts';

/** The transaction search as typed in the form (every field text, empty meaning "any"). */
export interface TransactionFilterInput {
  msn?: string | undefined;
  orderId?: string | undefined;
  status?: string | undefined;
  /** Kroner, "149" or "149,50". */
  minAmount?: string | undefined;
  maxAmount?: string | undefined;
  /** Oslo dates, YYYY-MM-DD, both inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

export const PAGE_SIZE = 50;
/** An export holds at most this many rows (newest first); the page says so when a filter matches more. */
export const EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1_000;

const KRONER = /^\d{1,9}(?:[.,]\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function oreOf(field: string, text: string | undefined): number | undefined {
  const value = given(text);
  if (value === undefined) return undefined;
  if (!KRONER.test(value)) throw new InvalidRequestError(field, `${field} must be an amount in kroner, such as 149 or 149,50`);
  const [kroner = '0', ore = ''] = value.replace(',', '.').split('.');
  return Number(kroner) * 100 + Number(ore.padEnd(2, '0'));
}

function dateOf(field: string, text: string | undefined): string | undefined {
  const value = given(text);
  if (value === undefined) return undefined;
  const parsedMs = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March; a real date comes back as itself.
  if (!DATE.test(value) || Number.isNaN(parsedMs) || isoTimestamp(parsedMs).slice(0, 10) !== value) throw new InvalidRequestError(field, `${field} must be a date, YYYY-MM-DD`);
  return value;
}

/** The search the filter asks for within the user's sales units; bad input names its field. */
export function searchOf(scope: MerchantScope, input: TransactionFilterInput): Omit<PaymentSearch, 'limit' | 'after'> {
  const msn = given(input.msn);
  const status = given(input.status);
  if (status !== undefined && !(PAYMENT_STATES as readonly string[]).includes(status)) {
    throw new InvalidRequestError('status', `status must be one of ${PAYMENT_STATES.join(', ')}`);
  }
  const minAmountOre = oreOf('minAmount', input.minAmount);
  const maxAmountOre = oreOf('maxAmount', input.maxAmount);
  const from = dateOf('from', input.from);
  const to = dateOf('to', input.to);
  const orderId = given(input.orderId);
  return {
    msns: msn === undefined ? scope.msns : [ownUnit(scope, msn).msn],
    ...(orderId !== undefined ? { orderId } : {}),
    ...(status !== undefined ? { state: status as PaymentState } : {}),
    ...(minAmountOre !== undefined ? { minAmountOre } : {}),
    ...(maxAmountOre !== undefined ? { maxAmountOre } : {}),
    ...(from !== undefined ? { fromMs: osloMidnightMs(from) } : {}),
    ...(to !== undefined ? { toMs: osloMidnightMs(nextDate(to)) } : {}),
  };
}

/** The keyset of the next page: opaque to the browser, checked when it comes back. */
export function cursorOf(row: PaymentListRow): string {
  return Buffer.from(`${row.created_at_ms}.${row.id}`, 'utf8').toString('base64url');
}

function afterOf(cursor: string | undefined): PaymentSearch['after'] {
  const value = given(cursor);
  if (value === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw new InvalidRequestError('after', 'after is not a page of this list');
  return { createdAtMs: Number(match[1]), id: Number(match[2]) };
}

/** One page of the filter, newest first, and the cursor of the next page (null on the last). */
export async function transactionPage(ctx: AppContext, scope: MerchantScope, input: TransactionFilterInput, cursor?: string) {
  const after = afterOf(cursor);
  const rows = await searchPayments(ctx.store.db, { ...searchOf(scope, input), ...(after ? { after } : {}), limit: PAGE_SIZE + 1 });
  const page = rows.slice(0, PAGE_SIZE);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > PAGE_SIZE && last ? cursorOf(last) : null };
}

/** Every row of the filter (up to EXPORT_MAX_ROWS), read in keyset batches so memory stays flat. */
export async function* transactionsForExport(ctx: AppContext, scope: MerchantScope, input: TransactionFilterInput): AsyncGenerator<PaymentListRow> {
  const search = searchOf(scope, input);
  let after: PaymentSearch['after'];
  let sent = 0;
  while (sent < EXPORT_MAX_ROWS) {
    const rows = await searchPayments(ctx.store.db, { ...search, ...(after ? { after } : {}), limit: Math.min(EXPORT_BATCH, EXPORT_MAX_ROWS - sent) });
    for (const row of rows) yield row;
    sent += rows.length;
    const last = rows[rows.length - 1];
    if (!last || rows.length < EXPORT_BATCH) return;
    after = { createdAtMs: last.created_at_ms, id: last.id };
  }
}
