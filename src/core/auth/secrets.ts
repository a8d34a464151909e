import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Secrets are stored as SHA-256 only; they are random and long, so no slow hash is needed. Every authenticated call
 * hashes its subscription key: the one-shot `hash` costs a third of a Hash object's create, update and digest.
 */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Compare a presented secret with a stored hash in constant time. */
export function secretMatches(presented: string, storedSha256: string): boolean {
  const a = hash('sha256', presented, 'buffer');
  const b = Buffer.from(storedSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Credentials in the shapes the real platform hands out. */
export function newCredentials() {
  return {
    clientId: randomUUID(),
    clientSecret: randomBytes(16).toString('base64'),
    subscriptionKey: randomBytes(16).toString('hex'),
  };
}
