// A browser's side of a logged-in web front end (the console, the portal) over plain HTTP: a cookie jar, the log-in
// form with its CSRF token, and the session's CSRF token read from the pages, for HTTP tests that need no Chromium.
import assert from 'node:assert/strict';

export interface WebAnswer {
  status: number;
  location: string | null;
  text: string;
}

export class WebSession {
  readonly #cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly basePath: string,
  ) {}

  /** Sets a cookie by hand (to present another front end's session token, say). */
  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<WebAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(this.#cookies.size > 0 ? { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.#cookies.delete(name.trim());
      else this.#cookies.set(name.trim(), value.join('='));
    }
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  get(path: string): Promise<WebAnswer> {
    return this.request('GET', path);
  }

  /** Log in through the form; resolves with the answer to the form's POST (303 on success). */
  async logIn(email: string, password: string): Promise<WebAnswer> {
    const page = await this.get(`${this.basePath}/login`);
    assert.equal(page.status, 200, page.text);
    return this.request('POST', `${this.basePath}/login`, { _csrf: csrfIn(page.text), email, password, next: this.basePath });
  }

  /** POST a form of a logged-in page with the session's CSRF token (read from `pagePath`, or the front end's home). */
  async submit(path: string, form: Record<string, string>, pagePath = this.basePath): Promise<WebAnswer> {
    const page = await this.get(pagePath);
    assert.equal(page.status, 200, page.text);
    return this.request('POST', path, { _csrf: csrfIn(page.text), ...form });
  }
}

/** The CSRF token a page's forms carry. */
export function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page carries a CSRF token');
  return token;
}
