import type { FastifyInstance } from 'fastify';

/**
 * Every answer carries a strict Content-Security-Policy: scripts and styles only from Kasse's own files (no inline
 * script or style blocks, no eval), nothing fetched from elsewhere, no framing. Pages put their data in data-*
 * attributes or fetch it; scripts may still set element.style (CSSOM), which CSP allows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
