/**
 * Regenerate lib/tls/openssl-cipher-table.ts from the real `openssl` of every host OS
 * (`npx tsx scripts/openssl-cipher-table.ts`; Debian 13's programs run in a chroot of a cached
 * root file system, so this needs root, like the integration tests). Run it after an OpenSSL
 * update changes what test/integration/openssl-ciphers.test.ts measures.
 */
import { writeFileSync } from "fs";
import { join } from "path";
import { everyOs } from "../test/support/os-programs";
import { CIPHER_TABLE_PATH, cipherTableText, measurementScript, parseMeasurement } from "./openssl-cipher-table-source";

function main(): void {
  const tables = everyOs().map((programs) => {
    const result = programs.run("sh", ["-c", measurementScript()], { timeoutMs: 120_000 });
    if (result.status !== 0) throw new Error(`${programs.os}: the measurement failed: ${result.stderr}`);
    return parseMeasurement(programs.os, result.stdout);
  });
  const target = join(__dirname, "..", CIPHER_TABLE_PATH);
  writeFileSync(target, cipherTableText(tables));
  for (const t of tables) process.stdout.write(`${t.os}: OpenSSL ${t.openssl}, ${t.suites.length} suites, default security level ${t.defaultSecurityLevel}\n`);
  process.stdout.write(`wrote ${target}\n`);
}

main();
