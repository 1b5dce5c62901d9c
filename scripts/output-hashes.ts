/**
 * A fingerprint of everything the platform produces, for proving that a change of code changes
 * no output: the SHA-256 (first 16 hex digits) of every rendered file of every host, of every
 * zone file `mail-platform zone` writes and of the synthesized stack, for every model of the
 * variant matrix (test/support/variants.ts) and the example on Debian 12. Run it on two commits
 * and compare:
 *
 *   npx tsx scripts/output-hashes.ts before.txt   # on the old commit (copy the script there)
 *   npx tsx scripts/output-hashes.ts after.txt && diff before.txt after.txt
 *
 * The matrix generates its DKIM test keys per process; fixed public keys replace them here so
 * that two runs are comparable.
 */
import { createHash } from "crypto";
import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";

const ROOT = resolve(__dirname, "..");
// Loaded from the checkout the script runs in, so the same file serves an older commit.
/* eslint-disable @typescript-eslint/no-require-imports */
const lib = require(join(ROOT, "lib"));
const { variants } = require(join(ROOT, "test", "support", "variants"));
const { Testing, TerraformStack } = require(join(ROOT, "node_modules", "cdktf"));
const { AwsProvider } = require(join(ROOT, "node_modules", "@cdktf", "provider-aws", "lib", "provider"));
/* eslint-enable @typescript-eslint/no-require-imports */

/** Fixed public test keys (base64 DER SPKI): Ed25519 and RSA 2048. Public keys, no secret. */
const FIXED_KEYS = {
  ed25519: "MCowBQYDK2VwAyEAHTmuaa1mpqf4y4inKTmq6nxgNm2EKIRdISSDGjsyrXM=",
  rsa: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvlPuuYKDU1TtjWaWN9U4wXtD9N4i/12QK3sup1KbfmJRk/QDOpuxH7RCkqdugBD+/77crPVJOmqZqIFBGcnaVd5yXA+6hO4CCFBYAf5bh60zZln5ToIZWtwn/PA1s/WnzQFgR7ZsyWcIyHrLLqGSjf5PgmNl7vmZaZZvKuza9HNHlBEG9Xr9rIUweJczL3zrCIavI2vfWqTTdwqxkzuninN4FtIrC7VrsXB45aALJ/xuTABAe6hND3jz4lIxOxJbqKvZRLKgwcS86H4fj3Vl6EK8XbDF3soE/t4OxTUG4VQKBsN3SAbQYxmKvRrtiZ8HzG6M/k6IQ20z9310qgNaGwIDAQAB",
};

interface VariantLike {
  name: string;
  input: {
    os?: string;
    groups: Array<{ dkim?: { selector: string; publicKey: string; retiring?: { publicKey: string } } }>;
  };
}

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

function main(outFile: string): void {
  const all: VariantLike[] = variants();
  const debian12 = structuredClone(all[0]!.input);
  debian12.os = "debian-12";
  all.push({ name: "example on debian-12", input: debian12 });
  const lines: string[] = [];
  // cdktf's test app makes an output directory per app unless it is given one.
  const scratch = mkdtempSync(join(tmpdir(), "output-hashes-"));
  for (const variant of all) {
    for (const group of variant.input.groups) {
      if (group.dkim?.selector !== "ed2026") continue;
      group.dkim.publicKey = FIXED_KEYS.ed25519;
      if (group.dkim.retiring) group.dkim.retiring.publicKey = FIXED_KEYS.rsa;
    }
    const plan = lib.plan(lib.parsePlatform(structuredClone(variant.input)));
    for (const host of lib.renderPlatform(plan)) {
      for (const file of host.files) lines.push(`${variant.name}\t${host.host}\t${file.path}\t${file.mode ?? ""}\t${hash(file.content)}`);
    }
    const stack = new TerraformStack(Testing.app({ outdir: scratch }), "test");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    new lib.MailPlatform(stack, "mail", { platform: structuredClone(variant.input) });
    lines.push(`${variant.name}\tsynth\t${hash(Testing.synth(stack))}`);
  }
  rmSync(scratch, { recursive: true, force: true });
  const zones = mkdtempSync(join(tmpdir(), "output-hashes-"));
  try {
    const example = join(ROOT, "examples", "customer-groups", "platform.yaml");
    execFileSync("node", [join(ROOT, "bin", "mail-platform.js"), "zone", example, "--out", zones], { encoding: "utf8" });
    for (const file of readdirSync(zones).sort()) lines.push(`zone\t${file}\t${hash(readFileSync(join(zones, file), "utf8"))}`);
  } finally {
    rmSync(zones, { recursive: true, force: true });
  }
  writeFileSync(outFile, `${lines.join("\n")}\n`);
  console.log(`${lines.length} entries written to ${outFile}`);
}

const out = process.argv[2];
if (!out) {
  console.error("usage: npx tsx scripts/output-hashes.ts <out-file>");
  process.exit(2);
}
main(out);
