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
    key = Buffer.from(hkdfSync('sha256', ctx.tokenSigningKey, Buffer.alloc(0), 'kasse shown-once flash', 32));
    flashKeyBySigningKey.set(ctx.tokenSigningKey, key);
  }
  return key;
}

/**
 * Secrets made by a form and shown once, after a redirect (a new API key's client secret and subscription key, a new
 * portal user's password): the form's POST seals them into a short-lived cookie and answers 303, and the page it
 * redirects to takes them out of the cookie and clears it. Reloading that page then shows no secret and sends no
 * form again (which would issue a second key or try to add the user twice), and Back finds nothing cached (the
 * pages are no-store). The cookie is AES-256-GCM sealed and bound to the session and to `purpose` (the associated
 * data), HttpOnly and sent only under the front end's path; Kasse itself still keeps only hashes of the secrets.
 */
export function shownOnceFlash<T>(ctx: AppContext, frontEnd: WebFrontEnd, purpose: string) {
  const cookieName = `${frontEnd.cookieName}_${purpose}`;
  const associatedData = (request: FastifyRequest) => Buffer.from(`${purpose}\n${sessionOf(request).session.token_sha256}`);
  return {
    /** Answers the form that made `value`: it goes into the cookie, the browser to `location`, which shows it. */
    redirectShowingOnce(request: FastifyRequest, reply: FastifyReply, location: string, value: T) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', flashKey(ctx), iv).setAAD(associatedData(request));
      const plain = JSON.stringify({ value, expiresAtMs: ctx.clock.nowMs() + FLASH_MAX_AGE_MS });
      const sealed = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      reply.setCookie(cookieName, sealed.toString('base64url'), { ...webCookieOptions(ctx, frontEnd), maxAge: FLASH_MAX_AGE_MS / 1000 });
      return reply.redirect(location, 303);
    },

    /** What the form before this page made, once: the cookie is cleared whether it opens or not. */
    take(request: FastifyRequest, reply: FastifyReply): T | null {
      const sealed = request.cookies[cookieName];
      if (sealed === undefined) return null;
      reply.clearCookie(cookieName, webCookieOptions(ctx, frontEnd));
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', flashKey(ctx), bytes.subarray(0, IV_BYTES))
          .setAAD(associatedData(request))
          .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
        const opened = JSON.parse(plain) as { value: T; expiresAtMs: number };
        return opened.expiresAtMs > ctx.clock.nowMs() ? opened.value : null;
      } catch {
        // Forged, from another session, or sealed under a key this node no longer has: there is nothing to show.
        return null;
      }
    },
  };
}

/** A newly issued API key's secrets, as a page shows them once (web/templates/issued-key.eta, under a heading of its own). */
export interface IssuedKey {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
}

/** The flash of a front end's new API keys. Only the three secrets are sealed, whatever else the caller's value holds. */
export function issuedKeyFlash(ctx: AppContext, frontEnd: WebFrontEnd) {
  const flash = shownOnceFlash<IssuedKey>(ctx, frontEnd, 'issued_key');
  return {
    redirectShowingOnce: (request: FastifyRequest, reply: FastifyReply, location: string, key: IssuedKey) =>
      flash.redirectShowingOnce(request, reply, location, { clientId: key.clientId, clientSecret: key.clientSecret, subscriptionKey: key.subscriptionKey }),
    take: flash.take,
  };
}

/**
 * The issued key if it is one of `clientIds` (the keys of the unit or partner the page is about): a key issued
 * elsewhere whose page was never opened is not shown under this one's heading.
 */
export function issuedAmong(issued: IssuedKey | null, clientIds: readonly string[]): IssuedKey | null {
  return issued !== null && clientIds.includes(issued.clientId) ? issued : null;
}
