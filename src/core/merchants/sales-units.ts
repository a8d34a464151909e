import { randomInt, randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../../domain/refusals.ts';
import { findSalesUnitForUpdate } from '../../store/dialect.ts';
import {
  findMerchant,
  findSalesUnit,
  insertMerchant,
  insertSalesUnit,
  listMerchants,
  listSalesUnits,
  updateSalesUnit,
} from '../../store/repos/merchants.ts';
import type { CaptureType, PayoutFrequency, SalesUnitKind, SalesUnitRow, SalesUnitStatus, SettlementType } from '../../store/schema.ts';
import { forgetCachedKeys } from '../auth/key-cache.ts';
import type { AppContext } from '../context.ts';
import { fieldsOf, recordAudit, type Actor } from '../operators/audit.ts';
import { inTransaction } from '../transaction.ts';

export class NotFoundError extends Error {}

export async function createMerchant(ctx: AppContext, by: Actor, args: { name: string; orgNumber?: string | null }) {
  return inTransaction(ctx, async (tx) => {
    const merchant = { id: randomUUID(), name: args.name, org_number: args.orgNumber ?? null, created_at_ms: tx.nowMs };
    await insertMerchant(tx.trx, merchant);
    await recordAudit(tx, by, 'merchant.create', merchant.id, null, { name: merchant.name, org_number: merchant.org_number });
    return merchant;
  });
}

export interface SalesUnitSettings extends SalesUnitOptions {
  name: string;
  captureType?: CaptureType;
  settlement?: SettlementTerms;
  /** A chosen MSN (the operator may import real ones); otherwise a fresh random 6-digit one. */
  msn?: string;
}

const VIPPS_NUMBER_PATTERN = /^\d{4,6}$/;

/** The kind columns: a Vipps-nummer only on a `vippsnummer` unit, checked here because the operator types it. */
function kindColumns(kind: SalesUnitKind | undefined, vippsNumber: string | undefined): Partial<Pick<SalesUnitRow, 'kind' | 'vipps_number'>> {
  if (vippsNumber !== undefined && !VIPPS_NUMBER_PATTERN.test(vippsNumber)) {
    throw new InvalidRequestError('vippsNumber', 'A Vipps-nummer has 4 to 6 digits');
  }
  if (kind === undefined) return vippsNumber === undefined ? {} : { vipps_number: vippsNumber };
  return { kind, vipps_number: kind === 'vippsnummer' ? (vippsNumber ?? null) : null };
}

const MSN_PATTERN = /^\d{5,6}$/;
const MSN_ATTEMPTS = 20;

export async function createSalesUnit(ctx: AppContext, by: Actor, merchantId: string, settings: SalesUnitSettings): Promise<SalesUnitRow> {
  if (settings.msn !== undefined && !MSN_PATTERN.test(settings.msn)) {
    throw new InvalidRequestError('msn', 'A merchant serial number has 5 or 6 digits');
  }
  return inTransaction(ctx, async (tx) => {
    const { trx, nowMs } = tx;
    if (!(await findMerchant(trx, merchantId))) throw new NotFoundError(`merchant ${merchantId} does not exist`);
    for (let attempt = 0; attempt < MSN_ATTEMPTS; attempt++) {
      const row: SalesUnitRow = {
        msn: settings.msn ?? String(randomInt(100_000, 1_000_000)),
        merchant_id: merchantId,
        name: settings.name,
        capture_type: settings.captureType ?? 'reserve',
        express_allowed: settings.express === false ? 0 : 1,
        skip_landing_page_allowed: settings.skipLandingPage ? 1 : 0,
        nin_scope_allowed: settings.ninScope ? 1 : 0,
        rate_limits_enabled: settings.rateLimits === false ? 0 : 1,
        callback_max_attempts: settings.callbackMaxAttempts ?? 1,
        kind: 'ecommerce',
        vipps_number: null,
        ...kindColumns(settings.kind, settings.vippsNumber),
        status: 'active',
        test_unit: settings.testUnit ? 1 : 0,
        active_since_ms: nowMs,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
        ...(settlementColumns({ ...DEFAULT_SETTLEMENT_TERMS, ...settings.settlement }) as SettlementColumns),
      };
      if (await insertSalesUnit(trx, row)) {
        await recordAudit(tx, by, 'sales-unit.create', row.msn, null, { ...row });
        return row;
      }
      if (settings.msn !== undefined) throw new InvalidRequestError('msn', `MSN ${settings.msn} is already in use`);
    }
    throw new Error('could not find a free merchant serial number');
  });
}

/** One operator change of a sales unit: the row as it was, the change, and its audit entry, in one transaction. */
async function change(
  ctx: AppContext,
  by: Actor,
  action: string,
  msn: string,
  changesAt: (nowMs: number) => Partial<SalesUnitRow>,
): Promise<SalesUnitRow> {
  const updated = await inTransaction(ctx, async (tx) => {
    const before = await findSalesUnitForUpdate(tx.trx, tx.kind, msn);
    if (!before) throw new NotFoundError(`sales unit ${msn} does not exist`);
    const changes = changesAt(tx.nowMs);
    const after = await updateSalesUnit(tx.trx, msn, { ...changes, updated_at_ms: tx.nowMs });
    if (!after) throw new Error(`sales unit ${msn} vanished while held`);
    await recordAudit(tx, by, action, msn, fieldsOf(before, changes), fieldsOf(after, changes));
    return after;
  });
  // Committed: authentication on this node sees the new status and settings from now on.
  forgetCachedKeys(ctx);
  return updated;
}

/** Capture type is an operator decision: "You can't turn direct capture on or off as a merchant". */
export function setCaptureType(ctx: AppContext, by: Actor, msn: string, captureType: CaptureType) {
  return change(ctx, by, 'sales-unit.capture-type', msn, () => ({ capture_type: captureType }));
}

const STATUS_ACTIONS: Record<SalesUnitStatus, string> = {
  active: 'sales-unit.reactivate',
  deactivated: 'sales-unit.deactivate',
  blocked: 'sales-unit.block',
};

/** Deactivate (Merchant 37), block (Merchant 31) or reactivate; a reactivated unit counts as used from then on. */
export function setSalesUnitStatus(ctx: AppContext, by: Actor, msn: string, status: SalesUnitStatus) {
  return change(ctx, by, STATUS_ACTIONS[status], msn, (nowMs) => (status === 'active' ? { status, active_since_ms: nowMs } : { status }));
}

/** What the operator may change on a sales unit after creating it (capture type, status and terms have their own). */
export interface SalesUnitOptions {
  express?: boolean;
  skipLandingPage?: boolean;
  ninScope?: boolean;
  rateLimits?: boolean;
  callbackMaxAttempts?: number;
  /** A test sales unit: the idle rule deactivates it when unused (src/core/merchants/idle-test-units.ts). */
  testUnit?: boolean;
  kind?: SalesUnitKind;
  /** The Vipps-nummer of a `vippsnummer` unit; its MSN when not given. */
  vippsNumber?: string;
}

export function setSalesUnitOptions(ctx: AppContext, by: Actor, msn: string, options: SalesUnitOptions) {
  const changes: Partial<SalesUnitRow> = kindColumns(options.kind, options.vippsNumber);
  if (options.express !== undefined) changes.express_allowed = options.express ? 1 : 0;
  if (options.skipLandingPage !== undefined) changes.skip_landing_page_allowed = options.skipLandingPage ? 1 : 0;
  if (options.ninScope !== undefined) changes.nin_scope_allowed = options.ninScope ? 1 : 0;
  if (options.rateLimits !== undefined) changes.rate_limits_enabled = options.rateLimits ? 1 : 0;
  if (options.callbackMaxAttempts !== undefined) changes.callback_max_attempts = options.callbackMaxAttempts;
  if (options.testUnit !== undefined) changes.test_unit = options.testUnit ? 1 : 0;
  return change(ctx, by, 'sales-unit.options', msn, () => changes);
}

export async function listMerchantsWithUnits(ctx: AppContext) {
  const [merchants, units] = await Promise.all([listMerchants(ctx.store.db), listSalesUnits(ctx.store.db)]);
  return merchants.map((m) => ({ ...m, salesUnits: units.filter((u) => u.merchant_id === m.id) }));
}

export async function merchantWithUnits(ctx: AppContext, merchantId: string) {
  const merchant = await findMerchant(ctx.store.db, merchantId);
  if (!merchant) throw new NotFoundError(`merchant ${merchantId} does not exist`);
  return { ...merchant, salesUnits: await listSalesUnits(ctx.store.db, merchantId) };
}

export async function salesUnit(ctx: AppContext, msn: string): Promise<SalesUnitRow> {
  const unit = await findSalesUnit(ctx.store.db, msn);
  if (!unit) throw new NotFoundError(`sales unit ${msn} does not exist`);
  return unit;
}

/** How a sales unit is settled: fees per capture, net or gross, and how often it is paid. */
export interface SettlementTerms {
  feeBasisPoints?: number;
  feeFixedOre?: number;
  settlementType?: SettlementType;
  payoutFrequency?: PayoutFrequency;
}

export const DEFAULT_SETTLEMENT_TERMS = { feeBasisPoints: 0, feeFixedOre: 0, settlementType: 'net', payoutFrequency: 'daily' } as const satisfies SettlementTerms;

type SettlementColumns = Pick<SalesUnitRow, 'fee_basis_points' | 'fee_fixed_ore' | 'settlement_type' | 'payout_frequency'>;

function settlementColumns(terms: SettlementTerms): Partial<SettlementColumns> {
  const columns: Partial<SettlementColumns> = {};
  if (terms.feeBasisPoints !== undefined) {
    if (!Number.isInteger(terms.feeBasisPoints) || terms.feeBasisPoints < 0 || terms.feeBasisPoints > 10_000) {
      throw new InvalidRequestError('feeBasisPoints', 'feeBasisPoints is a whole number from 0 to 10000');
    }
    columns.fee_basis_points = terms.feeBasisPoints;
  }
  if (terms.feeFixedOre !== undefined) {
    if (!Number.isInteger(terms.feeFixedOre) || terms.feeFixedOre < 0 || terms.feeFixedOre > 100_000) {
      throw new InvalidRequestError('feeFixedOre', 'feeFixedOre is a whole number of øre from 0 to 100000');
    }
    columns.fee_fixed_ore = terms.feeFixedOre;
  }
  if (terms.settlementType !== undefined) columns.settlement_type = terms.settlementType;
  if (terms.payoutFrequency !== undefined) columns.payout_frequency = terms.payoutFrequency;
  return columns;
}

/** The operator's (and the sandbox's) settlement terms; they apply to captures from now on. */
export function setSettlementTerms(ctx: AppContext, by: Actor, msn: string, terms: SettlementTerms) {
  const columns = settlementColumns(terms);
  return change(ctx, by, 'sales-unit.settlement', msn, () => columns);
}
