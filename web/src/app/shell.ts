/** The app's shell: the server's clock, the signed-in user, screens and their timers, navigation. */
import type { AppSessionView, AppUserView } from '../../../src/shared/view-models.ts';
import { api as fetchJson } from '../lib/api.ts';
import { byId, h, safeUrl } from '../lib/dom.ts';
import { initial } from './format.ts';

const API = '/_kasse/app/api';
const root = byId('app');
const phoneFrame = byId('phone');
const barUser = byId('bar-user');
/** The user's window to act on a request, as the server rendered it (USER_ACTION_TIMEOUT_MS). */
export const userActionSeconds = Number(root.dataset.totalSeconds);

/** The app's JSON API (/_kasse/app/api…); errors arrive as ApiError with a human message. */
export function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  // The session itself is the httpOnly cookie; the CSRF token bound to it goes with every state-changing call.
  const headers: Record<string, string> = method === 'POST' && current ? { 'x-csrf-token': current.csrfToken } : {};
  return fetchJson<T>(method, API + path, body, headers);
}

// Countdowns run on the browser's monotonic clock (ticks). Dates follow the server's clock, which the sandbox
// may have moved (time travel): card expiry and receipts use now().
export function ticks(): number {
  return performance.now();
}
let epochAtZeroTicks = performance.timeOrigin;
export function now(): number {
  return epochAtZeroTicks + ticks();
}
export async function syncClock(): Promise<void> {
  try {
    const res = await fetch('/_kasse/sandbox/clock', { cache: 'no-store' });
    if (res.ok) {
      const body = (await res.json()) as { now: string };
      const server = Date.parse(body.now);
      if (Number.isFinite(server)) epochAtZeroTicks = server - ticks();
    }
  } catch {
    // production mode: the browser's own clock
  }
}

// The signed-in session (phone number and PIN, or in the sandbox a number without a PIN): kept by the server behind an
// httpOnly cookie; the page holds only whose it is and its CSRF token.
let current: AppSessionView | null = null;
export function setSignedIn(view: AppSessionView | null): void {
  current = view;
}
/** The signed-in user's number, or null. */
export function session(): string | null {
  return current?.msisdn ?? null;
}
/** Ask the server whether this browser is signed in (a cookie from an earlier visit that has not expired). */
export async function loadSession(): Promise<void> {
  try {
    current = await fetchJson<AppSessionView>('GET', API + '/session');
  } catch {
    current = null;
  }
}
export async function signOut(): Promise<void> {
  try {
    await api('POST', '/session/sign-out');
  } catch {
    // already signed out (expired): nothing to end
  }
  current = null;
}
/** Whether this server is a sandbox (sign-in then offers its conveniences, clearly marked). */
export const sandboxMode = root.dataset.mode === 'sandbox';

let screenId = 0;
let timers: ReturnType<typeof setTimeout>[] = [];
/** Start a new screen: stops the previous screen's timers; returns a check for "still this screen". */
export function screen(name: string, ...content: (Node | null)[]): () => boolean {
  screenId += 1;
  const id = screenId;
  timers.forEach((t) => {
    clearInterval(t);
    clearTimeout(t);
  });
  timers = [];
  phoneFrame.dataset.screen = name;
  root.replaceChildren(...content.filter((node): node is Node => node !== null));
  root.scrollTop = 0;
  return () => id === screenId;
}
export function every(ms: number, fn: () => unknown): void {
  timers.push(setInterval(fn, ms));
}
export function later(ms: number, fn: () => unknown): void {
  timers.push(setTimeout(fn, ms));
}
/** Elements of the current screen (for the timers that update them). */
export function onScreen(selector: string): NodeListOf<HTMLElement> {
  return root.querySelectorAll<HTMLElement>(selector);
}

export function loading(): void {
  screen('loading', h('div', { class: 'center-fill' }, h('div', { class: 'spinner', role: 'status', 'aria-label': 'Loading' })));
}

export function showUserInBar(user: AppUserView | null): void {
  barUser.replaceChildren();
  if (!user) return;
  barUser.append(
    h('span', { class: 'bar-avatar', title: `${user.firstName} ${user.lastName}`, testid: 'bar-user' }, initial(user.firstName) + initial(user.lastName)),
  );
}

let router: () => unknown = () => undefined;
/** main.ts hands over its router: every screen navigates through go(). */
export function setRouter(route: () => unknown): void {
  router = route;
}
export function route(): void {
  void router();
}
export function go(path: string): void {
  history.pushState(null, '', path);
  route();
}

/** Back to the merchant's fallBack after delayMs (unless the user leaves this screen first). */
export function returnTo(redirect: string | null | undefined, delayMs: number): void {
  const target = safeUrl(redirect);
  if (target) later(delayMs, () => location.assign(target));
}

export function backButton(redirect: string | null | undefined, merchantName: string): HTMLElement | null {
  const target = safeUrl(redirect);
  if (!target) return null;
  return h('a', { class: 'button primary', href: target, testid: 'back-to-merchant' }, `Back to ${merchantName}`);
}

export function paymentPath(token: string): string {
  return `/_kasse/app/pay/${encodeURIComponent(token)}`;
}

export function tokenInPath(): string | null {
  const match = /^\/_kasse\/app\/pay\/([^/]+)\/?$/.exec(location.pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}
