// A browser's side of the merchant portal over plain HTTP: the log-in form (with its CSRF cookie), the session
// cookie, and the page's CSRF token for every form it posts. Redirects are not followed, so tests see them.

export interface PortalAnswer {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

const CSRF_INPUT = /name="_csrf" value="([^"]+)"/;

export function csrfOf(html: string): string {
  const match = CSRF_INPUT.exec(html);
  if (!match?.[1]) throw new Error('no CSRF field on the page');
  return match[1];
}

function cookieNamed(headers: Headers, name: string): string | undefined {
  return headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];
}

async function answer(response: Response): Promise<PortalAnswer> {
  return { status: response.status, headers: response.headers, text: await response.text(), location: response.headers.get('location') };
}

/** The log-in form's POST: the answer (303 with the session cookie, or the form again with its error). */
export async function submitLogin(baseUrl: string, email: string, password: string): Promise<PortalAnswer> {
  const form = await fetch(`${baseUrl}/portal/login`);
  const loginCookie = cookieNamed(form.headers, 'kasse_portal_login') ?? '';
  const token = csrfOf(await form.text());
  return answer(
    await fetch(`${baseUrl}/portal/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, email, password, next: '/portal' }),
    }),
  );
}

export class PortalSession {
  csrf = '';
  /** Cookies the pages set besides the session's (a new key's sealed secrets), kept as a browser keeps them. */
  readonly #pageCookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
  ) {}

  #cookieHeader(): string {
    return [this.cookie, ...[...this.#pageCookies].map(([name, value]) => `${name}=${value}`)].join('; ');
  }

  async #answer(response: Response): Promise<PortalAnswer> {
    for (const line of response.headers.getSetCookie()) {
      const [name, ...value] = (line.split(';')[0] ?? '').split('=');
      if (!name || name === 'kasse_portal') continue;
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.#pageCookies.delete(name);
      else this.#pageCookies.set(name, value.join('='));
    }
    return answer(response);
  }

  static async logIn(baseUrl: string, email: string, password: string): Promise<PortalSession> {
    const done = await submitLogin(baseUrl, email, password);
    const cookie = cookieNamed(done.headers, 'kasse_portal');
    if (done.status !== 303 || !cookie) throw new Error(`portal log-in: ${done.status} ${done.text.slice(0, 300)}`);
    const session = new PortalSession(baseUrl, cookie);
    session.csrf = csrfOf((await session.get('/portal/sales-units')).text);
    return session;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PortalAnswer> {
    return this.#answer(await fetch(`${this.baseUrl}${path}`, { redirect: 'manual', headers: { cookie: this.#cookieHeader(), ...headers } }));
  }

  /** A form post with this session's CSRF token unless `fields` names its own `_csrf` (or `csrf: false` leaves it out). */
  async post(path: string, fields: Record<string, string> = {}, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<PortalAnswer> {
    const body = new URLSearchParams(options.csrf === false ? fields : { _csrf: this.csrf, ...fields });
    return this.#answer(
      await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        body,
      }),
    );
  }
}
