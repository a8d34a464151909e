import type { FastifyReply, FastifyRequest } from 'fastify';
import { operatorActor, type Actor } from '../../../core/operators/audit.ts';
import { isoTimestamp } from '../../../domain/clock.ts';
import { CSRF_FIELD, sendUncachedPage, sendWebMessage, sessionOf, type WebFrontEnd } from '../../web/session-auth.ts';

export const CONSOLE: WebFrontEnd = { kind: 'operator', basePath: '/console', cookieName: 'kasse_console', title: 'Operator console' };

/** The operator behind a console request: who the audit log names, and the CSRF token their forms carry. */
export interface ConsoleOperator {
  email: string;
  actor: Actor;
  csrf: string;
}

/** An account of another kind never gets here (sessions belong to one front end); the check keeps it so. */
export function operatorOf(request: FastifyRequest): ConsoleOperator {
  const { account, session } = sessionOf(request);
  if (account.kind !== 'operator') throw new Error('a console session of a non-operator account');
  return { email: account.email, actor: operatorActor(account.email), csrf: session.csrf_token };
}

/** The console's navigation. */
const NAV = [
  { id: 'merchants', href: '/console', label: 'Merchants & sales units' },
  { id: 'partners', href: '/console/partners', label: 'Partners & partner keys' },
  { id: 'audit-log', href: '/console/audit-log', label: 'Audit log' },
] as const;

export type ConsoleSection = (typeof NAV)[number]['id'];

/** A console page: its template inside the shell (navigation, who is logged in, log-out), never cached. */
export function sendConsolePage(reply: FastifyReply, operator: ConsoleOperator, page: { template: string; current: ConsoleSection; title: string; data: object }) {
  return sendUncachedPage(reply, 200, `console/${page.template}`, {
    ...page.data,
    title: page.title,
    shell: {
      email: operator.email,
      csrfField: CSRF_FIELD,
      csrf: operator.csrf,
      nav: NAV.map((item) => ({ ...item, current: item.id === page.current })),
    },
  });
}

/** What a saved form's page says after the redirect back (`?done=<key>` of `notices`; any other value says nothing). */
export function savedNotice(notices: Readonly<Record<string, string>>, done: string | undefined): string | null {
  return done !== undefined && Object.hasOwn(notices, done) ? notices[done]! : null;
}

/** Back to `page` after a form was saved, naming what was saved for savedNotice. */
export function savedAndBack(reply: FastifyReply, page: string, done: string) {
  return reply.redirect(`${page}?done=${encodeURIComponent(done)}`, 303);
}

export function sendConsoleMessage(reply: FastifyReply, status: number, heading: string, message: string) {
  return sendWebMessage(reply, CONSOLE, status, heading, message);
}

/** "2026-01-05 10:00:03 UTC" */
export function utcText(epochMs: number): string {
  return `${isoTimestamp(epochMs).replace('T', ' ').slice(0, 19)} UTC`;
}

/** A sales unit's status as a badge: what the ecomm API answers while it is not active. */
export function statusBadge(status: string): { text: string; tone: string } {
  if (status === 'active') return { text: 'active', tone: 'ok' };
  if (status === 'blocked') return { text: 'blocked (Merchant 31)', tone: 'bad' };
  return { text: `${status} (Merchant 37)`, tone: 'wait' };
}
