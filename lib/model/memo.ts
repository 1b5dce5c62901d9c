/**
 * A bounded cache for pure functions of a text: validation runs the same costly checks (parsing a
 * DKIM key with OpenSSL, compressing the first-boot script to measure it) on the same texts many
 * times in one process (`MailPlatform.fromFile` then the constructor, the CLI's validate and render,
 * a test suite's hundreds of models). Results are values, never objects a caller could change.
 */

/** Texts remembered per function; beyond it the cache starts over (no unbounded growth in a long process). */
const MAX_ENTRIES = 256;

/** `fn` with its results remembered by argument. `fn` must be pure: same text, same result. */
export function memoizedByText<T extends string | number | boolean | undefined>(fn: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    if (cache.has(text)) return cache.get(text) as T;
    const value = fn(text);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(text, value);
    return value;
  };
}
