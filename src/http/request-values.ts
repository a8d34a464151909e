/** Optional request fields arrive as absent, never as undefined values (exactOptionalPropertyTypes). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
