/**
 * Port 25's two tables with the content filter, as each OS's Postfix reads them: the header checks
 * remove every Authentication-Results field and nothing else (`postmap -h` applies them the way
 * cleanup does), and the loopback milter map gives OpenDKIM's internal hosts, and only them,
 * OpenDKIM before rspamd (`postmap -q` looks up a client address the way smtpd does).
 */
import { dirname, join } from "path";
import { renderToTempDir } from "../support/render-to-dir";
import { everyOs, type OsPrograms } from "../support/os-programs";
import { exampleInput } from "../support/example";

const INBOUND = [
  "Received: from mx.sender.example (mx.sender.example [203.0.113.9])",
  "\tby mail.acme-corp.example (Postfix) with ESMTPS id 5DEF456",
  "Authentication-Results: mail.acme-corp.example;",
  "\tdkim=pass header.d=acme-corp.example header.b=forged",
  "authentication-results: relay.partner.example; spf=pass smtp.mailfrom=partner.example",
  "ARC-Authentication-Results: i=1; relay.partner.example; spf=pass",
  "X-Authentication-Results: kept as it is",
  "Subject: Authentication-Results: in the subject",
  "",
  "Authentication-Results: in the body is text",
  "",
].join("\n");

const LOOPBACK_MILTERS = "unix:opendkim/opendkim.sock,unix:rspamd/inbound.sock";

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: port 25's tables with the content filter", (os, programs: OsPrograms) => {
  const postfixDir = () => join(renderToTempDir({ ...exampleInput(), os }), "mx1/etc/postfix");

  test("the header checks remove Authentication-Results fields, whatever their case and folding, and nothing else", () => {
    const dir = postfixDir();
    const result = programs.run("postmap", ["-c", dir, "-h", "-q", "-", `pcre:${join(dir, "inbound_header_checks.pcre")}`], { input: INBOUND });
    expect(result.stderr).toBe("");
    // postmap -h prints each header it matched (folded lines joined by newlines) and the action.
    expect(result.stdout).toBe(
      [
        "Authentication-Results: mail.acme-corp.example;\n\tdkim=pass header.d=acme-corp.example header.b=forged\tIGNORE",
        "authentication-results: relay.partner.example; spf=pass smtp.mailfrom=partner.example\tIGNORE",
        "",
      ].join("\n"),
    );
  });

  test("the loopback milter map: OpenDKIM's internal hosts get OpenDKIM, then rspamd; no other client is in it", () => {
    const table = `cidr:${join(postfixDir(), "loopback_milters.cidr")}`;
    const lookup = (client: string) => programs.run("postmap", ["-c", dirname(table.slice(5)), "-q", client, table]);
    for (const client of ["127.0.0.1", "::1"]) {
      const result = lookup(client);
      expect([result.status, result.stdout.trim(), result.stderr]).toEqual([0, LOOPBACK_MILTERS, ""]);
    }
    // Another loopback address, a VPC peer and an internet client get main.cf's smtpd_milters (rspamd alone).
    for (const client of ["127.0.0.77", "10.0.1.21", "203.0.113.9", "2001:db8::25"]) {
      const result = lookup(client);
      expect([result.status, result.stdout, result.stderr]).toEqual([1, "", ""]);
    }
  });
});
