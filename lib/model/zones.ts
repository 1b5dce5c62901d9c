/** Which zone of the platform holds a name. */

/**
 * The zone a name belongs to: the longest zone that is the name or a parent of it. Walks up the
 * name's labels (a set lookup each), so it costs the same for four zones or ten thousand.
 */
export function zoneOf(name: string, zones: ReadonlySet<string>): string | undefined {
  for (let at = 0; at >= 0;) {
    const candidate = name.slice(at);
    if (zones.has(candidate)) return candidate;
    const dot = name.indexOf(".", at);
    at = dot < 0 ? -1 : dot + 1;
  }
  return undefined;
}
