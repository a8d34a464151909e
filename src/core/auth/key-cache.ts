import type { AppContext } from '../context.ts';

/**
 * How long a node may keep using an API key and its sales unit as it read them — or a partner's key, and each sales
 * unit attached to it as its calls named them. A change made through this node (revoking a key, detaching a unit from
 * a partner, blocking, deactivating or changing a sales unit, a sandbox reset) is seen by its next request; another
 * node (or the CLI) changing them is seen here within this bound.
 */
export const AUTH_CACHE_TTL_MS = 1_000;
const AUTH_CACHE_MAX = 10_000;

interface Entry<T> {
  value: T;
  loadedAtMs: number;
}

interface KeyCache {
  entries: Map<string, Entry<unknown>>;
  /** Bumped by every invalidation: a load that started before one is not kept. */
  generation: number;
}

/** Per signing key, i.e. per Kasse instance on a database (every context of one instance shares its key). */
const caches = new WeakMap<Uint8Array, KeyCache>();

function cacheOf(ctx: AppContext): KeyCache {
  let cache = caches.get(ctx.tokenSigningKey);
  if (!cache) caches.set(ctx.tokenSigningKey, (cache = { entries: new Map(), generation: 0 }));
  return cache;
}

/** What is remembered for `clientId` and still fresh (undefined: nothing, or too old); synchronous. */
export function freshCachedKey<T>(ctx: AppContext, clientId: string): T | undefined {
  const entry = cacheOf(ctx).entries.get(clientId);
  return entry && ctx.clock.nowMs() - entry.loadedAtMs < AUTH_CACHE_TTL_MS ? (entry.value as T) : undefined;
}

/**
 * `load(clientId)` remembered for AUTH_CACHE_TTL_MS of the context's clock (a sandbox clock only moves forward, so
 * travelling in time only shortens it). Misses are not remembered: a key created anywhere works at once.
 */
export async function cachedKey<T>(ctx: AppContext, clientId: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  return freshCachedKey<T>(ctx, clientId) ?? loadKey(ctx, clientId, load);
}

/** The miss path of cachedKey, for a caller that has just looked for a fresh entry itself (freshCachedKey). */
export async function loadKey<T>(ctx: AppContext, clientId: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  const cache = cacheOf(ctx);
  const nowMs = ctx.clock.nowMs();
  const entry = cache.entries.get(clientId);
  const generation = cache.generation;
  const value = await load();
  if (value === undefined) {
    cache.entries.delete(clientId);
  } else if (cache.generation === generation) {
    if (!entry && cache.entries.size >= AUTH_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(clientId, { value, loadedAtMs: nowMs });
  }
  return value;
}

/** After a committed change to API keys or sales units: this node reads them again on the next request. */
export function forgetCachedKeys(ctx: AppContext): void {
  const cache = cacheOf(ctx);
  cache.entries.clear();
  cache.generation++;
}
