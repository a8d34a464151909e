import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { readAuditLog, type AuditEntry, type AuditValues } from '../../../core/operators/audit.ts';
import { operatorOf, sendConsolePage, utcText } from './console-page.ts';

const PAGE_ENTRIES = 50;
const MSN = /^\d{5,6}$/;

function valueText(values: AuditValues, field: string): string {
  if (values === null || !(field in values)) return '—';
  const value = values[field];
  if (value === null) return 'none';
  // Times are epoch milliseconds of the injected clock (columns named *_ms): shown as UTC.
  if (field.endsWith('_ms') && typeof value === 'number') return utcText(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Where the console shows an entry's subject: a sales unit by its MSN, a merchant or a partner by its id. */
function subjectHref(entry: AuditEntry): string | null {
  const id = encodeURIComponent(entry.subject);
  if (MSN.test(entry.subject)) return `/console/sales-units/${id}`;
  if (entry.action.startsWith('merchant.')) return `/console/merchants/${id}`;
  if (entry.action.startsWith('partner.') || entry.action.startsWith('partner-key.')) return `/console/partners/${id}`;
  return null;
}

/** An audit entry as a table row: who, what, to what, and each field it changed as before → after. */
export function auditRows(entries: AuditEntry[]) {
  return entries.map((entry) => {
    const fields = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])];
    return {
      id: entry.id,
      when: utcText(entry.atMs),
      who: entry.actorKind === entry.actor ? entry.actor : `${entry.actorKind}: ${entry.actor}`,
      action: entry.action,
      subject: entry.subject,
      subjectHref: subjectHref(entry),
      changes: fields.map((field) => ({ field, before: valueText(entry.before, field), after: valueText(entry.after, field) })),
    };
  });
}

/** GET /console/audit-log: every operator action, newest first, narrowed to one subject, paged back by id. */
export function auditLogPage(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { subject?: string; before?: string } }>('/console/audit-log', { schema: { hide: true } }, async (request, reply) => {
    const operator = operatorOf(request);
    const subject = request.query.subject?.trim() || undefined;
    const before = /^[1-9]\d{0,14}$/.test(request.query.before ?? '') ? Number(request.query.before) : undefined;
    const entries = await readAuditLog(ctx, { subject, beforeId: before, limit: PAGE_ENTRIES });
    const last = entries.at(-1);
    const older = entries.length === PAGE_ENTRIES && last ? `/console/audit-log?${new URLSearchParams({ ...(subject ? { subject } : {}), before: String(last.id) })}` : null;
    return sendConsolePage(reply, operator, {
      template: 'audit-log',
      current: 'audit-log',
      title: 'Audit log',
      data: { subject: subject ?? '', rows: auditRows(entries), older },
    });
  });
}
