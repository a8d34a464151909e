import type { FastifyInstance } from 'fastify';

/**
 * Deployed clients send `POST /accesstoken/get` with `Content-Type: application/json` and no body, omit the
 * content type, or send `application/json;charset=UTF-8`. All parse as JSON (with fastify's prototype-poisoning
 * protection); an empty body is simply no body.
 */
export function registerLenientJsonParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
