import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../domain/refusals.ts';

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
    parseJson(request, text, (error, value) => {
      const field = error ? null : fieldWithNul(text, value);
      if (field !== null) done(new InvalidRequestError(field, `${field} must not contain the NUL character (U+0000)`), undefined);
      else done(error, value);
    });
  });
}

interface Frame {
  value: unknown;
  key: string;
  parent: Frame | null;
}

/**
 * The dotted name of the first string holding U+0000, or null. PostgreSQL cannot store NUL in text (SQLite can):
 * refusing it here keeps both engines alike and turns a would-be 500 into 400 InvalidRequest naming the field.
 * Iterative, as bodies may nest thousands of levels deep.
 */
function fieldWithNul(text: string, root: unknown): string | null {
  if (!/\\u0000/i.test(text)) return null;
  const stack: Frame[] = [{ value: root, key: '', parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (typeof frame.value === 'string') {
      if (!frame.value.includes('\u0000')) continue;
      const keys: string[] = [];
      for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
      return keys.reverse().join('.') || 'body';
    }
    if (typeof frame.value === 'object' && frame.value !== null) {
      for (const [key, value] of Object.entries(frame.value)) stack.push({ value, key, parent: frame });
    }
  }
  return null;
}
