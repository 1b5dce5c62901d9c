/**
 * Snapshots users can review: in the readable form of a synthesized stack a one-line change of
 * the configuration is a few one-line changes of the snapshot (the line itself and the lines that
 * carry the bundle's content hash), where cdk.tf.json changes a line of kilobytes of base64.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { format } from "pretty-format";
import { gunzipSync } from "zlib";
import { readableSynth } from "../../../lib/testing";
import { exampleStack, synthExample } from "../../support/synth";

/** As Jest writes a snapshot (its defaults for pretty-format). */
function snapshotText(value: unknown): string {
  return format(value, { escapeString: false, printBasicPrototype: false, indent: 2 });
}

/** Lines of `after` not in `before` and of `before` not in `after` (as a line diff counts them). */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const count = (text: string) => text.split("\n").reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const a = count(before);
  const b = count(after);
  const only = (x: Map<string, number>, y: Map<string, number>) => [...x].flatMap(([line, n]) => Array<string>(Math.max(0, n - (y.get(line) ?? 0))).fill(line));
  return { removed: only(a, b), added: only(b, a) };
}

const before = synthExample();
const after = synthExample((input) => {
  input.privacy = { ...input.privacy, stripHeaders: [...(input.privacy?.stripHeaders ?? []), "X-Mailer"] };
});

test("user data and bundles are decoded; the stack refers to them by address", () => {
  const readable = readableSynth(before.text, { stack: before.stack });
  const [instance] = Object.keys(before.json.resource.aws_instance!);
  const address = `aws_instance.${instance}`;
  const raw = String(before.json.resource.aws_instance![instance!]!.user_data_base64);
  expect(readable.userData[address]).toBe(gunzipSync(Buffer.from(raw, "base64")).toString("utf8"));
  expect(readable.stack.resource.aws_instance![instance!]!.user_data_base64).toBe(`<decoded in userData["${address}"]>`);
  const [bundle] = Object.values(readable.bundles);
  expect(bundle!.host).toBe("mx1");
  expect(bundle!.files["/etc/postfix/main.cf (0644)"]).toMatch(/^smtpd_tls_auth_only = yes$/m);
  // The file is as the host receives it (Terraform uploads a source file's bytes untouched).
  expect(bundle!.files["/etc/postfix/main.cf (0644)"]).toContain("${");
  expect(bundle!.files["/etc/postfix/main.cf (0644)"]).not.toContain("$${");
  // The stack names the bundle's file; nothing of it is inline.
  const [object] = Object.keys(readable.bundles);
  expect(readable.stack.resource.aws_s3_object![object!.slice("aws_s3_object.".length)]).toMatchObject({ source: "mail-platform/acme-mail/mx1.bundle.json" });
});

test("bundles are found in the stack, in a synthesized directory, or not at all when neither is given", () => {
  const fromStack = readableSynth(before.text, { stack: before.stack });
  const outdir = mkdtempSync(join(tmpdir(), "readable-synth-"));
  try {
    const app = Testing.app({ outdir });
    const { stack } = exampleStack(undefined, app);
    app.synth();
    const fromDir = readableSynth(Testing.synth(stack), { stackDir: join(outdir, "stacks", stack.node.id) });
    expect(fromDir.bundles).toEqual(fromStack.bundles);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const bare = readableSynth(before.text);
  expect(bare.bundles).toEqual({});
  expect(Object.values(bare.stack.resource.aws_s3_object!)[0]).toMatchObject({ source: "mail-platform/acme-mail/mx1.bundle.json" });
});

test("one more stripped header: a handful of short changed lines, not a 30 KB one", () => {
  // Unread in cdk.tf.json: the user data's line of base64 (it names the new bundle).
  const raw = changedLines(JSON.stringify(before.json, null, 2), JSON.stringify(after.json, null, 2));
  expect(Math.max(...raw.added.map((l) => l.length))).toBeGreaterThan(5_000);

  const readable = (s: typeof before) => readableSynth(s.text, { stack: s.stack });
  const { removed, added } = changedLines(snapshotText(readable(before)), snapshotText(readable(after)));
  // The new rule; every other changed line is one that carries the bundle's content hash (its
  // id, the object key, the URL in the rollout association and in the user data).
  const [oldId, newId] = [before, after].map((s) => Object.values(readable(s).bundles)[0]!.id);
  expect(added.filter((l) => /X-Mailer/i.test(l))).toEqual(["/^X-Mailer:/         IGNORE"]);
  expect(added.filter((l) => !/X-Mailer/i.test(l)).every((l) => l.includes(newId!))).toBe(true);
  expect(removed.every((l) => l.includes(oldId!))).toBe(true);
  expect(removed).toHaveLength(added.length - 1);
  expect(added.length).toBeLessThanOrEqual(5);
  for (const line of [...added, ...removed]) expect(line.length).toBeLessThan(200);
});
