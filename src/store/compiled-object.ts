/**
 * A function that makes objects of one fixed shape: one object literal, compiled once for the given keys. V8 makes
 * such an object in one step with one hidden class, where building it key by key, or spreading one object into
 * another, looks every key up and moves the object through a map per key: on the use-case worker, a new payment's
 * rows put together by spreads were 14 % of its CPU under `initiate` (bench/README.md, session 15).
 *
 * `valueOf` gives each key's value as a JavaScript expression over `parameters`. Keys are quoted; `__proto__` is a
 * computed key, so that it is an own property as in a row from the database, never the object's prototype.
 */
export function compiledObject<Args extends unknown[]>(
  parameters: readonly string[],
  keys: readonly string[],
  valueOf: (key: string, index: number) => string,
): (...args: Args) => Record<string, unknown> {
  const properties = keys.map((key, index) => {
    const quoted = JSON.stringify(key);
    return `${key === '__proto__' ? `[${quoted}]` : quoted}: ${valueOf(key, index)}`;
  });
  return new Function(...parameters, `return { ${properties.join(', ')} };`) as (...args: Args) => Record<string, unknown>;
}

/** `source[key] ?? null` for a key: a column the caller left out is NULL, as an INSERT naming only the given ones makes it. */
export const valueOrNull = (source: string) => (key: string) => `${source}[${JSON.stringify(key)}] ?? null`;

/** The object of a row given as values in `keys`' order (`values[i]` under `keys[i]`). */
export function compiledFromValues<Row>(keys: readonly string[]): (values: unknown[]) => Row {
  return compiledObject<[unknown[]]>(['values'], keys, (_key, index) => `values[${index}]`) as unknown as (values: unknown[]) => Row;
}

/** An object with only `keys` of a larger one, without a rest spread's key-by-key copy. */
export function compiledPick<Row>(keys: readonly string[]): (source: Row) => Row {
  return compiledObject<[Row]>(['source'], keys, (key) => `source[${JSON.stringify(key)}]`) as unknown as (source: Row) => Row;
}
