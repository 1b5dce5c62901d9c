/**
 * Probes of a running mail host, as clients, peers and graders see it. Shared by the live suite
 * (a local instance on loopback) and the deploy rehearsal (a booted host in a container), so both
 * judge the platform by the same checks.
 */
import { spawnSync } from "child_process";
import { request } from "https";
import { replies, type SwaksResult } from "./live";

/**
 * The open-relay probes: a foreign recipient, a forged local sender, the null sender and the
 * classic address tricks, each as [what, MAIL FROM, RCPT TO]; every one must be refused.
 */
export function relayTricks(localDomain: string, foreignDomain: string): ReadonlyArray<readonly [string, string, string]> {
  return [
    ["a foreign recipient", `spammer@${foreignDomain}`, `victim@${foreignDomain}`],
    ["a forged local sender", `tester@${localDomain}`, `victim@${foreignDomain}`],
    ["the null sender", "<>", `victim@${foreignDomain}`],
    ["the percent hack", `spammer@${foreignDomain}`, `victim%${foreignDomain}@${localDomain}`],
    ["a bang path", `spammer@${foreignDomain}`, `${foreignDomain}!victim@${localDomain}`],
    ["a quoted local part", `spammer@${foreignDomain}`, `"victim@${foreignDomain}"@${localDomain}`],
    ["a source route", `spammer@${foreignDomain}`, `@${localDomain}:victim@${foreignDomain}`],
    ["an address literal", `spammer@${foreignDomain}`, "victim@[192.0.2.1]"],
  ];
}

/** Codes of the server replies in order. */
export function codes(result: SwaksResult): string[] {
  return replies(result.transcript).map((r) => r.slice(0, 3));
}

/** The EHLO keywords offered, before or after TLS, as one list. */
export function ehloKeywords(result: SwaksResult): string[] {
  return replies(result.transcript)
    .filter((r) => /^250[- ]/.test(r))
    .map((r) => r.slice(4).split(" ")[0]!);
}

/** nmap's `least strength` grade per open TLS port of an address. */
export function leastStrength(address: string, ports: readonly (string | number)[]): Record<string, string> {
  const result = spawnSync("nmap", ["-Pn", "-n", "-p", ports.join(","), "--script", "ssl-enum-ciphers", address], { encoding: "utf8", timeout: 180_000 });
  const found: Record<string, string> = {};
  let current = "";
  for (const line of result.stdout.split("\n")) {
    const portLine = /^(\d+)\/tcp\s+open/.exec(line);
    if (portLine) current = portLine[1]!;
    const least = /least strength: (\S+)/.exec(line);
    if (least && current) found[current] = least[1]!;
  }
  return found;
}

/** Whether a TLS handshake with one protocol version (`-tls1`, `-tls1_2`, …) succeeds. */
export function handshake(target: string, protocolFlag: string, starttls?: string): boolean {
  const args = ["s_client", "-connect", target, protocolFlag, "-cipher", "DEFAULT:@SECLEVEL=0", ...(starttls ? ["-starttls", starttls] : [])];
  const result = spawnSync("openssl", args, { input: "", encoding: "utf8", timeout: 20_000 });
  const match = /New, (\S+), Cipher is (\S+)/.exec(result.stdout);
  return Boolean(match && match[2] !== "(NONE)");
}

/** The certificate a TLS service presents for a name, verified against a CA: subject names and the verify result. */
export function presentedCertificate(
  target: string,
  serverName: string,
  caFile: string,
  starttls?: string,
): { verified: boolean; names: string[]; detail: string } {
  const args = [
    "s_client",
    "-connect",
    target,
    "-servername",
    serverName,
    "-CAfile",
    caFile,
    "-verify_hostname",
    serverName,
    "-verify_return_error",
    ...(starttls ? ["-starttls", starttls] : []),
  ];
  const result = spawnSync("openssl", args, { input: "", encoding: "utf8", timeout: 20_000 });
  const verified = /Verify return code: 0 \(ok\)/.test(result.stdout);
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0] ?? "";
  const text = spawnSync("openssl", ["x509", "-noout", "-ext", "subjectAltName"], { input: pem, encoding: "utf8" }).stdout;
  const names = [...text.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]!);
  return { verified, names, detail: /Verify return code: .*/.exec(result.stdout)?.[0] ?? result.stderr.trim().split("\n").pop() ?? "" };
}

/** An HTTPS GET with SNI and Host set to a name, against a CA. */
export function httpsGet(address: string, name: string, path: string, ca: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: 443, path, servername: name, headers: { host: name }, ca }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Verify a message's DKIM signature with dkimpy (python3-dkim), keys from one DNS server. */
export function verifyDkimWith(dnsServer: string, message: string): string {
  const script = `${__dirname}/dkim-verify.py`;
  const result = spawnSync("/usr/bin/python3", [script, dnsServer], { input: message, encoding: "utf8", timeout: 30_000 });
  return result.stdout.trim();
}
