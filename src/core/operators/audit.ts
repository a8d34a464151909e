import type { AuditActorKind } from '../../store/schema.ts';
import { insertAuditEntry, listAuditEntries } from '../../store/repos/audit-log.ts';
import type { AppContext, Tx } from '../context.ts';

/** Who does an operator action. Every use case that changes merchants, sales units, keys or operators takes one. */
export interface Actor {
  kind: AuditActorKind;
  name: string;
}

export const API_TOKEN_ACTOR: Actor = { kind: 'api-token', name: 'api-token' };
export const SANDBOX_ACTOR: Actor = { kind: 'sandbox', name: 'sandbox API' };

export function cliActor(osUser: string): Actor {
  return { kind: 'cli', name: osUser };
}

export function operatorActor(email: string): Actor {
  return { kind: 'operator', name: email };
}

/** A merchant's portal user acting on their own sales units (their keys). */
export function portalActor(email: string): Actor {
  return { kind: 'portal', name: email };
}

/** Kasse acting on its own: the demo merchant at first start, the idle rule. */
export function kasseActor(what: string): Actor {
  return { kind: 'kasse', name: what };
}

export type AuditValues = Record<string, unknown> | null;

/** One audit entry, in the transaction of the change it records (so it exists exactly when the change does). */
export async function recordAudit(tx: Tx, by: Actor, action: string, subject: string, before: AuditValues, after: AuditValues): Promise<void> {
  await insertAuditEntry(tx.trx, {
    at_ms: tx.nowMs,
    actor_kind: by.kind,
    actor: by.name,
    action,
    subject,
    before_json: before === null ? null : JSON.stringify(before),
    after_json: after === null ? null : JSON.stringify(after),
  });
}

/** The fields `changes` names, as `row` has them: what an audit entry shows as before or after. */
export function fieldsOf<Row extends object>(row: Row, changes: Partial<Row>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(changes) as (keyof Row & string)[]) picked[key] = row[key];
  return picked;
}

export interface AuditEntry {
  id: number;
  atMs: number;
  actorKind: AuditActorKind;
  actor: string;
  action: string;
  subject: string;
  before: AuditValues;
  after: AuditValues;
}

export const AUDIT_PAGE_MAX = 200;

export async function readAuditLog(ctx: AppContext, filter: { subject?: string | undefined; beforeId?: number | undefined; limit?: number | undefined }): Promise<AuditEntry[]> {
  const limit = Math.min(filter.limit ?? 50, AUDIT_PAGE_MAX);
  const rows = await listAuditEntries(ctx.store.db, { subject: filter.subject, beforeId: filter.beforeId, limit });
  return rows.map((row) => ({
    id: row.id,
    atMs: row.at_ms,
    actorKind: row.actor_kind,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as AuditValues),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as AuditValues),
  }));
}
