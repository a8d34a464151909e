// The simulated app's sign-in for tests that call its API directly: sign in (phone number, and a PIN where the user
// has one), then send the session cookie and its CSRF token with every call, as the app's page does.
import { httpRequest, type HttpResult } from './merchant-client.ts';

import { SEEDED_USER_PIN, seededUsers } from '../../src/core/sandbox/fixtures.ts';

/** The PIN of the seeded sandbox users (src/core/sandbox/fixtures.ts). */
export { SEEDED_USER_PIN };

/** The PIN a sandbox number signs in with: the seeded users' PIN, or none for any other number. */
export function sandboxPinOf(msisdn: string): string | null {
  return seededUsers(0).some((user) => user.msisdn === msisdn) ? SEEDED_USER_PIN : null;
}

export interface AppUser {
  msisdn: string;
  /** Cookie and X-CSRF-Token of the session. */
  headers: Record<string, string>;
  request<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
}

/** POST /_kasse/app/api/session as the app page does it (with its X-Kasse-App header). */
export function signInRequest(baseUrl: string, msisdn: string, pin: string | null, headers: Record<string, string> = { 'x-kasse-app': '1' }) {
  return httpRequest(`${baseUrl}/_kasse/app/api/session`, { method: 'POST', headers, body: { msisdn, pin } });
}

/** The session cookie's `name=value` from a sign-in answer. */
export function sessionCookieOf(result: HttpResult): string {
  const cookie = result.headers.getSetCookie().find((c) => c.startsWith('kasse_app_session='));
  if (!cookie) throw new Error(`no session cookie: ${result.status} ${result.text}`);
  return cookie.split(';')[0]!;
}

/** Sign in; throws unless the server answered with a session. */
export async function signInToApp(baseUrl: string, msisdn: string, pin: string | null = null): Promise<AppUser> {
  const result = await signInRequest(baseUrl, msisdn, pin);
  if (result.status !== 200) throw new Error(`sign-in as ${msisdn}: ${result.status} ${result.text}`);
  const headers = { cookie: sessionCookieOf(result), 'x-csrf-token': (result.body as { csrfToken: string }).csrfToken };
  return {
    msisdn,
    headers,
    request: (method, path, body) => httpRequest(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }),
  };
}
