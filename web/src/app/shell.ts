/** The app's shell: the server's clock, the signed-in user, screens and their timers, navigation. */
import type { AppUserView } from '../../../src/shared/view-models.ts';
import { api as fetchJson } from '../lib/api.ts';
import { byId, h, safeUrl } from '../lib/dom.ts';
import { initial } from './format.ts';

const API = '/_kasse/app/api';
const SESSION_KEY = 'kasse.app.msisdn';
const root = byId('app');
const phoneFrame = byId('phone');
const barUser = byId('bar-user');
/** The user's window to act on a request, as the server rendered it (USER_ACTION_TIMEOUT_MS). */
export const userActionSeconds = Number(root.dataset.totalSeconds);

/** The app's JSON API (/_kasse/app/api…); errors arrive as ApiError with a human message. */
export function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return fetchJson<T>(method, API + path, body);
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

// Signing in is remembering a phone number (localStorage; in memory only where storage is blocked).
let memorySession: string | null = null;
function stored(): string | null {
  try {
    return localStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
}
export function setSignedIn(msisdn: string | null): void {
  try {
    if (msisdn) localStorage.setItem(SESSION_KEY, msisdn);
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // blocked storage: the session lasts this page
  }
  memorySession = msisdn;
}
export function session(): string | null {
  return stored() ?? memorySession;
}

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
