/**
 * Assertions document what must always hold; they stay on in production. A failed assertion is a
 * programmer error (an impossible state), never an operating condition: quorum failures, timeouts
 * and bad input are returned as values instead.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, why: string): asserts condition {
  if (!condition) throw new AssertionError(why);
}

/**
 * A failed check, for hot paths: `if (!ok) fail(\`... ${detail}\`)` builds its message only when it
 * fails, where `assert(ok, \`...\`)` builds it on every call (garbage on the request path).
 */
export function fail(why: string): never {
  throw new AssertionError(why);
}

/** Ends an exhaustive switch: the compiler proves it unreachable, the runtime reports what slipped in. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
