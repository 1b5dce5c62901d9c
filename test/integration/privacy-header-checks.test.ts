/**
 * The privacy table does what it says when Postfix itself applies it (`postmap -h` runs the
 * header checks the way cleanup does, multi-line headers included), with each OS's Postfix.
 */
import { dirname, join } from "path";
import { renderToTempDir } from "../support/render-to-dir";
import { everyOs, type OsPrograms } from "../support/os-programs";
import { exampleInput } from "../support/example";

const SUBMITTED = [
  "Received: from laptop.home (dsl-198-51-100-7.example.net [198.51.100.7])",
  "\tby mail.acme-corp.example (Postfix) with ESMTPSA id 4ABC123",
  "\tfor <partner@partner.example>; Sun, 29 Nov 2026 02:00:00 +0000 (UTC)",
  "Received: from relay.partner.example (relay.partner.example [192.0.2.1])",
  "\tby mail.acme-corp.example (Postfix) with ESMTPS id 5DEF456",
  "\tfor <x@acme-corp.example>; Sun, 29 Nov 2026 02:00:00 +0000 (UTC)",
  "x-originating-ip: [198.51.100.7]",
  "X-Mailer: Example Mail 1.0",
  "Subject: quarterly report",
  "",
  "body mentions X-Originating-IP: and Received: from here",
  "",
].join("\n");

let programs: OsPrograms;
let os: OsPrograms["os"];

function check(table: string): string {
  // The rendered main.cf next to the table is the configuration postmap reads.
  const result = programs.run("postmap", ["-c", dirname(table), "-h", "-q", "-", `pcre:${table}`], { input: SUBMITTED });
  expect(result.stderr).toBe("");
  return result.stdout;
}

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: privacy header checks on the submission path", (osName, osPrograms) => {
  beforeAll(() => {
    programs = osPrograms;
    os = osName;
  });
  const table = () => join(renderToTempDir({ ...exampleInput(), os }), "mx1/etc/postfix/submission_header_checks.pcre");

  test("replaces the client's name and IP in the Received: header of authenticated mail", () => {
    const output = check(table());
    expect(output).toContain("REPLACE Received: from authenticated-user\n\tby mail.acme-corp.example (Postfix) with ESMTPSA id 4ABC123");
    const replacement = output.slice(output.indexOf("REPLACE"), output.indexOf("\nx-originating-ip"));
    expect(replacement).toContain("for <partner@partner.example>");
    expect(replacement).not.toContain("198.51.100.7");
    expect(replacement).not.toContain("laptop.home");
  });

  test("leaves Received: headers of unauthenticated mail alone", () => {
    expect(check(table())).not.toMatch(/relay\.partner\.example[^\n]*\n[^\n]*ESMTPS id 5DEF456[^\n]*\n[^\n]*\tREPLACE/);
  });

  test("removes X-Originating-IP whatever its case, and only configured headers", () => {
    const output = check(table());
    expect(output).toMatch(/^x-originating-ip: \[198\.51\.100\.7\]\tIGNORE$/m);
    expect(output).not.toContain("X-Mailer");
    expect(output).not.toContain("body mentions");
  });

  test("removes additional configured headers too", () => {
    const input = exampleInput();
    input.privacy = { stripHeaders: ["X-Originating-IP", "X-Mailer"] };
    const output = check(join(renderToTempDir(input), "mx1/etc/postfix/submission_header_checks.pcre"));
    expect(output).toMatch(/^X-Mailer: Example Mail 1\.0\tIGNORE$/m);
  });
});
