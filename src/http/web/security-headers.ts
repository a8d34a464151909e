import type { FastifyInstance } from 'fastify';

function policy(styleSource: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src ${styleSource}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Every answer carries a strict Content-Security-Policy: scripts and styles only from Kasse's own files (no inline
 * script or style, no eval), nothing fetched from elsewhere, no framing. Kasse's pages put their data in data-*
 * attributes or fetch it; scripts may still set element.style (CSSOM), which CSP allows.
 */
export const CONTENT_SECURITY_POLICY = policy("'self'");

/**
 * The API docs are Swagger UI, a third-party bundle that applies inline styles as it renders: there, and only there,
 * styles may be inline. Scripts stay 'self' everywhere.
 */
export const DOCS_CONTENT_SECURITY_POLICY = policy("'self' 'unsafe-inline'");
const DOCS_PATH = /^\/_kasse\/docs/i;

export function addSecurityHeaders(app: FastifyInstance): void {
  // A callback hook, not an async one: on every answer, a promise and its microtasks less.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('content-security-policy', DOCS_PATH.test(request.url) ? DOCS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
}
