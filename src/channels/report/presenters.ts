import { transactionIdOf } from '../ecomm-v2/presenters.ts';
import type { ReportEntryRow, SalesUnitRow } from '../../store/schema.ts';
import type { PayoutEntryType } from '../../core/context.ts';

const osloParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** An instant as Oslo local time with its offset, e.g. `2026-01-05T11:00:00.000+01:00`. */
export function osloTimestamp(epochMs: number): string {
  const parts = Object.fromEntries(osloParts.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const offset = (parts.timeZoneName ?? 'GMT+01:00').replace('GMT', '') || '+00:00';
  const millis = String(epochMs % 1000).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${millis}${offset}`;
}

/** The ledger of a sales unit: the MSN is its id; it settles for the unit's one handle. */
export function ledgerOf(unit: SalesUnitRow, orgNumber: string | null) {
  return {
    ledgerId: unit.msn,
    currency: 'NOK',
    payoutBankAccount: { scheme: 'BBAN:NO', id: sandboxBankAccountOf(unit.msn) },
    owner: { scheme: 'business:NO:ORG', id: orgNumber ?? '999999999' },
    settlesForRecipientHandles: [recipientHandleOf(unit)],
  };
}

/** `api:<MSN>` for an eCom sales unit, `NO:<Vipps-nummer>` for a Vipps-nummer (REPORT-API.md). */
export function recipientHandleOf(unit: Pick<SalesUnitRow, 'msn' | 'kind' | 'vipps_number'>): string {
  return unit.kind === 'vippsnummer' ? `NO:${unit.vipps_number ?? unit.msn}` : `api:${unit.msn}`;
}

/** The sandbox merchant's simulated settlement account: a fixed 11-digit number derived from the MSN. */
export function sandboxBankAccountOf(msn: string): string {
  return `9710${msn.padStart(7, '0')}`;
}

/** One Report API `Transaction` of the ledger whose handle is `recipientHandle`. */
/**
 * One Report API `Transaction` of the ledger whose handle is `recipientHandle`. Entries are stored with the 2023 spec's
 * names; the payout's entry is shown under the name the operator chose (`scheduled-for-payout` or the newer
 * `payout-scheduled`).
 */
export function transactionOf(entry: ReportEntryRow, recipientHandle: string, payoutEntryType: PayoutEntryType) {
  return {
    pspReference: entry.operation_id !== null ? transactionIdOf({ id: Number(entry.operation_id) }) : (entry.psp_reference ?? ''),
    time: osloTimestamp(Number(entry.occurred_at_ms)),
    ledgerDate: entry.ledger_date,
    entryType: entry.entry_type === 'scheduled-for-payout' ? payoutEntryType : entry.entry_type,
    reference: entry.reference,
    currency: 'NOK',
    amount: Number(entry.amount_ore),
    balanceBefore: Number(entry.balance_before_ore),
    balanceAfter: Number(entry.balance_after_ore),
    recipientHandle,
  };
}

/** Cursors are opaque to clients: the id of the last entry returned. */
export function encodeCursor(afterId: number): string {
  return Buffer.from(JSON.stringify({ afterId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const { afterId } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { afterId?: unknown };
    return Number.isSafeInteger(afterId) && (afterId as number) >= 0 ? (afterId as number) : null;
  } catch {
    return null;
  }
}
