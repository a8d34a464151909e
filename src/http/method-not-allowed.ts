import type { FastifyInstance, HTTPMethods } from 'fastify';

/**
 * Which methods each registered path answers, so that a wrong method on a known path is refused as 405 with an
 * `Allow` header (RFC 9110 §15.5.6) instead of looking like an unknown endpoint. Filled by an onRoute hook; the
 * patterns match as the router does (case-insensitive, optional trailing slash).
 */
export class RouteMethods {
  readonly #routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  readonly #registered: Array<{ url: string; method: string }> = [];

  /** Record every route registered on `app` from now on (call before registering the routes). */
  collectFrom(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => this.add(route.url, route.method));
  }

  add(url: string, method: HTTPMethods | HTTPMethods[]): void {
    for (const m of Array.isArray(method) ? method : [method]) this.#registered.push({ url, method: m.toUpperCase() });
    const source = patternSource(url);
    let entry = this.#routes.find((r) => r.pattern.source === source);
    if (!entry) this.#routes.push((entry = { pattern: new RegExp(source, 'i'), methods: new Set() }));
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
    // The router answers HEAD for every GET route.
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
  }

  /** Every route as registered (url pattern and method), so a test can sweep the whole surface. */
  registered(): ReadonlyArray<{ url: string; method: string }> {
    return this.#registered;
  }

  /** The methods the path answers, sorted; empty when no route has this path. */
  allowedFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}

/** `/ecomm/v2/payments/:orderId/capture` → a regex source; `:param` (with an optional `(regex)`) is one segment, `*` the rest. */
function patternSource(url: string): string {
  let source = '';
  for (let i = 0; i < url.length; i++) {
    const ch = url[i]!;
    if (ch === ':' && url[i + 1] !== ':') {
      while (i + 1 < url.length && /[\w-]/.test(url[i + 1]!)) i++;
      if (url[i + 1] === '(') {
        let depth = 0;
        do {
          i++;
          if (url[i] === '(') depth++;
          else if (url[i] === ')') depth--;
        } while (i < url.length && depth > 0);
      }
      source += '[^/]+';
    } else if (ch === '*') {
      source += '.*';
    } else {
      if (ch === ':') i++;
      source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return `^${source.replace(/\/$/, '')}/?$`;
}
