/**
 * Rewrite test/golden/debian-12 from the code as it is now: every rendered file of the example on
 * Debian 12, its synthesized cdk.tf.json and the host's bundle file beside it. Only for a deliberate change of Debian 12 output
 * (test/unit/debian-12-unchanged.test.ts says which); review the diff before committing it.
 *
 * Run: `npx tsx scripts/update-debian-12-golden.ts`
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { renderExample } from "../test/support/example";
import { synthExample } from "../test/support/synth";

const GOLDEN = join(__dirname, "..", "test", "golden", "debian-12");
const onDebian12 = (input: { os?: string }) => void (input.os = "debian-12");

const [host] = renderExample(onDebian12);
const hostDir = join(GOLDEN, "customer-groups", "mx1");
// Removed first, so that a file the code no longer renders disappears from the golden copy too.
rmSync(hostDir, { recursive: true, force: true });
for (const file of host!.files) {
  const path = join(hostDir, file.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.content);
}
const synthesized = synthExample(onDebian12);
writeFileSync(join(GOLDEN, "customer-groups.cdk.tf.json"), synthesized.text);
writeFileSync(join(GOLDEN, "customer-groups.mx1.bundle.json"), synthesized.readSource("mail-platform/acme-mail/mx1.bundle.json")!);
process.stdout.write(`wrote ${host!.files.length} files below ${hostDir}, customer-groups.cdk.tf.json and customer-groups.mx1.bundle.json\n`);
