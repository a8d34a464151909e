import type { FastifyReply, FastifyRequest } from 'fastify';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { AppContext } from '../../core/context.ts';
import { sessionOf, webCookieOptions, type WebFrontEnd } from './session-auth.ts';

/** Long enough for the redirect that follows the form; a secret not picked up by then is gone. */
const FLASH_MAX_AGE_MS = 60_000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const flashKeyBySigningKey = new WeakMap<Uint8Array, Buffer>();

/** Its own key, derived from the token signing key every node shares (kasse_meta), so any node can open it. */
function flashKey(ctx: AppContext): Buffer {
  let key = flashKeyBySigningKey.get(ctx.tokenSigningKey);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', ctx.tokenSigningKey, Buffer.alloc(0), 'kasse issued-secret flash', 32));
    flashKeyBySigningKey.set(ctx.tokenSigningKey, key);
  }
  return key;
}

/** A newly issued API key's secrets, as a page shows them once (web/templates/issued-key.eta, under a heading of its own). */
export interface IssuedKey {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
}

/**
 * The issued key if it is one of `clientIds` (the keys of the unit or partner the page is about): a key issued
 * elsewhere whose page was never opened is not shown under this one's heading.
 */
export function issuedAmong(issued: IssuedKey | null, clientIds: readonly string[]): IssuedKey | null {
  return issued !== null && clientIds.includes(issued.clientId) ? issued : null;
}

/**
 * A newly issued key's secrets (its client secret and subscription key) shown once, after a redirect: the form's
 * POST seals them into a short-lived cookie and answers 303, and the page it redirects to takes them out of the
 * cookie and clears it. Reloading that page then shows no secret and sends no form again (which would issue a
 * second key), and Back finds nothing cached (the pages are no-store). The cookie is AES-256-GCM sealed and bound
 * to the session (its token hash is the associated data), HttpOnly and sent only under the front end's path; Kasse
 * itself still keeps only the secrets' hashes.
 */
export function issuedKeyFlash(ctx: AppContext, frontEnd: WebFrontEnd) {
  const cookieName = `${frontEnd.cookieName}_issued`;
  return {
    /** Answers the form that issued `key`: its secrets go into the cookie, the browser to `location`, which shows them. */
    redirectShowingOnce(request: FastifyRequest, reply: FastifyReply, location: string, key: IssuedKey) {
      const value: IssuedKey = { clientId: key.clientId, clientSecret: key.clientSecret, subscriptionKey: key.subscriptionKey };
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', flashKey(ctx), iv).setAAD(Buffer.from(sessionOf(request).session.token_sha256));
      const plain = JSON.stringify({ value, expiresAtMs: ctx.clock.nowMs() + FLASH_MAX_AGE_MS });
      const sealed = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      reply.setCookie(cookieName, sealed.toString('base64url'), { ...webCookieOptions(ctx, frontEnd), maxAge: FLASH_MAX_AGE_MS / 1000 });
      return reply.redirect(location, 303);
    },

    /** The key the form before this page issued, once: the cookie is cleared whether it opens or not. */
    take(request: FastifyRequest, reply: FastifyReply): IssuedKey | null {
      const sealed = request.cookies[cookieName];
      if (sealed === undefined) return null;
      reply.clearCookie(cookieName, webCookieOptions(ctx, frontEnd));
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', flashKey(ctx), bytes.subarray(0, IV_BYTES))
          .setAAD(Buffer.from(sessionOf(request).session.token_sha256))
          .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
        const opened = JSON.parse(plain) as { value: IssuedKey; expiresAtMs: number };
        return opened.expiresAtMs > ctx.clock.nowMs() ? opened.value : null;
      } catch {
        // Forged, from another session, or sealed under a key this node no longer has: there is nothing to show.
        return null;
      }
    },
  };
}
