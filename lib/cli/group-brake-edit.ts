/**
 * The edit behind `mail-platform group pause|resume`: set or clear `groups[].outbound.paused` in
 * the text of a platform file. YAML is edited through the yaml Document API, so comments, key
 * order, quoting and blank lines stay as they are; only the one key changes. Resuming removes the
 * key (and an `outbound` map left empty), so pausing and resuming gives back the original text.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from "yaml";
import { isDeepStrictEqual } from "util";
import { UserError } from "../errors";

/** The outcome of {@link setGroupPaused}. */
export interface GroupBrakeEdit {
  /** The new text; the old one when nothing changed. */
  readonly text: string;
  /** Whether the group was already in the requested state. */
  readonly unchanged: boolean;
}

function groupMap(doc: Document.Parsed, group: string, file: string): YAMLMap {
  const groups = doc.get("groups", true);
  if (!isSeq(groups)) throw new UserError(`${file}: groups is not a list that can be edited in place`);
  for (const item of groups.items) {
    if (isMap(item) && item.get("name") === group) return item;
  }
  // Validation found the group: it is written in a form (an alias, say) this edit does not follow.
  throw new UserError(`${file}: group "${group}" is not written as a plain map in groups; set groups[].outbound.paused by hand`);
}

/**
 * Pause (`paused: true`) or resume one group in YAML or JSON platform text. The text must be a
 * valid platform naming the group (the caller validates it first).
 * @param json - the text is JSON: it is rewritten as JSON with two-space indentation
 */
export function setGroupPaused(text: string, group: string, paused: boolean, file: string, json = false): GroupBrakeEdit {
  if (json) {
    const value = JSON.parse(text) as { groups: { name: string; outbound?: { paused?: boolean } }[] };
    const entry = value.groups.find((g) => g.name === group)!;
    if ((entry.outbound?.paused ?? false) === paused) return { text, unchanged: true };
    if (paused) entry.outbound = { ...entry.outbound, paused: true };
    else {
      delete entry.outbound!.paused;
      if (Object.keys(entry.outbound!).length === 0) delete entry.outbound;
    }
    return { text: `${JSON.stringify(value, null, 2)}\n`, unchanged: false };
  }
  const doc = parseDocument(text);
  const map = groupMap(doc, group, file);
  const outbound = map.items.find((pair) => isScalar(pair.key) && pair.key.value === "outbound");
  const pausedPair = isMap(outbound?.value) ? outbound.value.items.find((pair) => isScalar(pair.key) && pair.key.value === "paused") : undefined;
  const now = isScalar(pausedPair?.value) && pausedPair.value.value === true;
  if (now === paused) return { text, unchanged: true };
  const edited = editText(text, map, outbound, pausedPair, paused, group, file);
  // The edit works on the text; check that it changed exactly the one value.
  const expected = doc.toJS() as { groups: { name: string; outbound?: { paused?: boolean } }[] };
  const entry = expected.groups.find((g) => g.name === group)!;
  if (paused) entry.outbound = { ...entry.outbound, paused: true };
  else if (entry.outbound) {
    delete entry.outbound.paused;
    if (Object.keys(entry.outbound).length === 0) delete entry.outbound;
  }
  if (!isDeepStrictEqual(parseDocument(edited).toJS(), expected))
    throw new UserError(`${file}: group "${group}" is written in a form this command cannot edit in place; set groups[].outbound.paused by hand`);
  return { text: edited, unchanged: false };
}

type Pair = YAMLMap["items"][number];

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;
function lineEnd(text: string, at: number): number {
  const end = text.indexOf("\n", at);
  return end < 0 ? text.length : end;
}

/** The text with the one change; ranges come from the parsed document. */
function editText(text: string, map: YAMLMap, outbound: Pair | undefined, pausedPair: Pair | undefined, paused: boolean, group: string, file: string): string {
  const unsupported = () =>
    new UserError(`${file}: group "${group}" is written in a form this command cannot edit in place; set groups[].outbound.paused by hand`);
  if (paused && isScalar(pausedPair?.value) && pausedPair.value.range) {
    // `paused: false` becomes `paused: true` in place.
    const [from, to] = pausedPair.value.range;
    return `${text.slice(0, from)}true${text.slice(to)}`;
  }
  if (paused && outbound === undefined) {
    if (map.flow) throw unsupported();
    const name = map.items.find((pair) => isScalar(pair.key) && pair.key.value === "name");
    const key = name?.key;
    const value = name?.value;
    if (!isScalar(key) || !key.range || !isScalar(value) || !value.range) throw unsupported();
    const indent = " ".repeat(key.range[0] - lineStart(text, key.range[0]));
    const at = lineEnd(text, value.range[1]);
    return `${text.slice(0, at)}\n${indent}outbound:\n${indent}  paused: true${text.slice(at)}`;
  }
  if (!paused && outbound && isMap(outbound.value) && pausedPair) {
    // The pair (or the whole outbound map when paused is its only key), with its lines.
    const only = outbound.value.items.length === 1;
    const keyNode = only ? outbound.key : pausedPair.key;
    const valueNode = only ? outbound.value : pausedPair.value;
    const from = (keyNode as { range?: [number, number, number] }).range?.[0];
    const to = (valueNode as { range?: [number, number, number] }).range?.[1];
    if (from === undefined || to === undefined) throw unsupported();
    const start = lineStart(text, from);
    const end = lineEnd(text, Math.max(from, to - 1));
    if (text.slice(start, from).trim() !== "") throw unsupported();
    return `${text.slice(0, start)}${text.slice(Math.min(end + 1, text.length))}`;
  }
  throw unsupported();
}
