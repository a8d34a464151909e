// Goal: small assertions shared by the HTTP contract tests in this folder (Vipps error bodies, operator calls).
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, type TestKasse } from '../support/harness.ts';
import { httpRequest, vippsError, type HttpResult } from '../support/merchant-client.ts';

export interface ExpectedVippsError {
  status: number;
  group: string;
  code: string;
  /** The exact errorMessage, or a pattern where the text comes from the JSON-schema validator. */
  message: string | RegExp;
}

/** The response is exactly one Vipps error with this status, group, code and message, and a contextId. */
export function assertVippsError(result: HttpResult, expected: ExpectedVippsError): void {
  assert.equal(result.status, expected.status, `HTTP status; body: ${result.text}`);
  assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
  const error = vippsError(result.body);
  assert.equal(error.errorGroup, expected.group, `errorGroup; body: ${result.text}`);
  assert.equal(error.errorCode, expected.code, `errorCode; body: ${result.text}`);
  if (typeof expected.message === 'string') assert.equal(error.errorMessage, expected.message);
  else assert.match(error.errorMessage, expected.message);
  assert.equal(typeof error.contextId, 'string');
  assert.ok(error.contextId.length > 0, 'contextId is present');
}

/** A call to the operator API (Bearer test-admin-token); asserts it succeeded. */
export async function admin(kasse: TestKasse, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const result = await httpRequest(`${kasse.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(body !== undefined ? { body } : {}),
  });
  assert.ok(result.status >= 200 && result.status < 300, `${method} ${path}: ${result.status} ${result.text}`);
  return result;
}

/** An HTML page of Kasse's: the strict CSP header, and no inline script, style or event handler (CSP would refuse them). */
export function assertStrictPage(path: string, page: { headers: Headers; text: string }): void {
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, path);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, `${path} has a strict script-src`);
  assert.ok(!/script-src[^;]*unsafe/.test(csp), `${path}: scripts never inline or eval`);
  // Swagger UI (the API docs) applies inline styles; every page of Kasse's own has strict styles too.
  if (!path.startsWith('/_kasse/docs')) assert.match(csp, /style-src 'self'(;|$)/, `${path} has a strict style-src`);
  for (const match of page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    assert.match(match[1] ?? '', /\bsrc=/, `${path}: a script without src`);
    assert.equal((match[2] ?? '').trim(), '', `${path}: an inline script with content`);
  }
  assert.ok(!/<style\b/i.test(page.text), `${path}: an inline <style> block`);
  assert.ok(!/\sstyle="/i.test(page.text), `${path}: an inline style attribute`);
  assert.ok(!/\son[a-z]+="/i.test(page.text), `${path}: an inline event handler`);
}
