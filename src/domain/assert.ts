/** Thrown when a rule the code itself enforces turns out false: a bug, never a client error. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Never disabled: the cost is a comparison, the benefit is stopping before bad money is written. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
