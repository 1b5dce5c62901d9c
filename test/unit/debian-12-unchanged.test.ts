/**
 * Debian 13 became the default; a platform that says `os: debian-12` must keep rendering and
 * synthesizing exactly what it did before (test/golden/debian-12 was written by the code as it
 * was then), so running Debian 12 hosts see no change. Deliberate changes of both releases
 * update the golden copies with them, by `npx tsx scripts/update-debian-12-golden.ts` (issue 14:
 * recipient and sender-login tables from the model's mailboxes and aliases, Dovecot's userdb of
 * the declared mailboxes, Sieve in LMTP, the mailbox list and users sync in the bundle).
 */
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { renderExample } from "../support/example";
import { synthExample } from "../support/synth";

const GOLDEN = join(__dirname, "..", "golden", "debian-12");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("os: debian-12 renders and synthesizes what it did before Debian 13 became the default", () => {
  test("every rendered file of the example, byte for byte", () => {
    const [host] = renderExample((input) => (input.os = "debian-12"));
    const golden = join(GOLDEN, "customer-groups", "mx1");
    const expected = Object.fromEntries(filesUnder(golden).map((f) => [relative(golden, f), readFileSync(f, "utf8")]));
    expect(Object.fromEntries(host!.files.map((f) => [f.path, f.content]))).toEqual(expected);
  });

  test("cdk.tf.json of the example and the bundle file it uploads, byte for byte", () => {
    const synthesized = synthExample((input) => (input.os = "debian-12"));
    expect(synthesized.text).toBe(readFileSync(join(GOLDEN, "customer-groups.cdk.tf.json"), "utf8"));
    expect(synthesized.readSource("mail-platform/acme-mail/mx1.bundle.json")).toBe(readFileSync(join(GOLDEN, "customer-groups.mx1.bundle.json"), "utf8"));
  });

  test("a host may say debian-12 on its own while the platform is on debian-13", () => {
    const [host] = renderExample((input) => (input.hosts[0]!.os = "debian-12"));
    const golden = join(GOLDEN, "customer-groups", "mx1", "etc", "dovecot", "dovecot.conf");
    expect(host!.files.find((f) => f.path === "etc/dovecot/dovecot.conf")!.content).toBe(readFileSync(golden, "utf8"));
  });
});
