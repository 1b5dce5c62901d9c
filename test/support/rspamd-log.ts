/**
 * Times in rspamd's log, whose lines begin with the local time to the second
 * (`2026-12-03 20:53:16 #25844(main) rspamd_url_init: ...`).
 */

/** Seconds (epoch, the log's clock read as UTC) of the first line containing `text`; undefined when no line does. */
export function rspamdLogSeconds(log: string, text: string): number | undefined {
  const line = log.split("\n").find((l) => l.includes(text));
  const stamp = line && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) /.exec(line);
  return stamp ? Date.parse(`${stamp[1]}T${stamp[2]}Z`) / 1000 : undefined;
}

/** Seconds between the first lines containing `from` and `to`; undefined when either is missing. */
export function rspamdLogSpan(log: string, from: string, to: string): number | undefined {
  const start = rspamdLogSeconds(log, from);
  const end = rspamdLogSeconds(log, to);
  return start === undefined || end === undefined ? undefined : end - start;
}
