/**
 * AWS's wildcard matching, as IAM (`Action`, `Resource`, `StringLike`, `ArnLike`) and EC2 filter
 * values use it: `*` matches any run of characters (colons and slashes included), `?` exactly one;
 * everything else is literal.
 */

const cache = new Map<string, RegExp>();

/** Whether `value` matches `pattern` as a whole. */
export function wildcardMatch(pattern: string, value: string, options: { readonly ignoreCase?: boolean } = {}): boolean {
  const flags = options.ignoreCase ? "si" : "s";
  const cacheKey = `${flags}\u0000${pattern}`;
  let regex = cache.get(cacheKey);
  if (!regex) {
    const body = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    regex = new RegExp(`^${body}$`, flags);
    cache.set(cacheKey, regex);
  }
  return regex.test(value);
}
