/**
 * Conditional entries of a list, written where they go:
 * `[always, ...when(condition, entry, another)]` rather than `...(condition ? [entry, another] : [])`.
 * With object literals, name the entry type (`when<PostconfSetting>(…)`): TypeScript then checks
 * them as entries of that type, a misspelt property included, as `satisfies` would.
 */

/** The entries when the condition holds, else none. */
export function when<T>(condition: boolean, ...entries: T[]): T[] {
  return condition ? entries : [];
}

/** The entries made from a value that may be absent: none when it is absent. */
export function whenDefined<V, T>(value: V | undefined, entries: (value: V) => T[]): T[] {
  return value === undefined ? [] : entries(value);
}
