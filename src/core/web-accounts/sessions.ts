import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../auth/secrets.ts';
import { HOUR_MS, MINUTE_MS } from '../../domain/clock.ts';
import { endWebSession, extendWebSession, findLiveWebSession, insertWebSession } from '../../store/repos/web-sessions.ts';
import type { WebAccountKind, WebAccountRow, WebSessionRow } from '../../store/schema.ts';
import type { AppContext } from '../context.ts';

/** A session ends after 30 minutes without a request, and after 12 hours whatever happens (sandbox clock). */
export const SESSION_IDLE_MS = 30 * MINUTE_MS;
export const SESSION_MAX_MS = 12 * HOUR_MS;
/** Requests closer together than this do not write the new expiry (one write per minute at most). */
const EXTEND_STEP_MS = MINUTE_MS;

export interface StartedSession {
  /** Goes into the cookie; the database keeps only its SHA-256. */
  token: string;
  csrfToken: string;
  expiresAtMs: number;
}

export interface LiveSession {
  account: WebAccountRow;
  session: WebSessionRow;
}

export async function startSession(ctx: AppContext, account: WebAccountRow): Promise<StartedSession> {
  const nowMs = ctx.clock.nowMs();
  const started = { token: randomBytes(32).toString('base64url'), csrfToken: randomBytes(32).toString('base64url'), expiresAtMs: nowMs + SESSION_IDLE_MS };
  await insertWebSession(ctx.store.db, {
    token_sha256: sha256Hex(started.token),
    account_id: account.id,
    kind: account.kind,
    csrf_token: started.csrfToken,
    created_at_ms: nowMs,
    expires_at_ms: started.expiresAtMs,
    ended_at_ms: null,
  });
  return started;
}

/** The live session a cookie's token names (of this kind of front end), kept alive by the request; else undefined. */
export async function currentSession(ctx: AppContext, kind: WebAccountKind, token: string): Promise<LiveSession | undefined> {
  const nowMs = ctx.clock.nowMs();
  const found = await findLiveWebSession(ctx.store.db, kind, sha256Hex(token), nowMs);
  if (!found) return undefined;
  const expiresAtMs = Math.min(nowMs + SESSION_IDLE_MS, found.session.created_at_ms + SESSION_MAX_MS);
  if (expiresAtMs - found.session.expires_at_ms >= EXTEND_STEP_MS) {
    await extendWebSession(ctx.store.db, found.session.token_sha256, expiresAtMs);
    return { ...found, session: { ...found.session, expires_at_ms: expiresAtMs } };
  }
  return found;
}

export async function endSession(ctx: AppContext, token: string): Promise<void> {
  await endWebSession(ctx.store.db, sha256Hex(token), ctx.clock.nowMs());
}

/** The synchronizer token of a state-changing request matches its session's, compared in constant time. */
export function csrfTokenMatches(session: WebSessionRow, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(session.csrf_token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
