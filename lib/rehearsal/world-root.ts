/**
 * The root of the rehearsal's DNS. A host resolves through its own unbound, which starts at the
 * root servers (their addresses are compiled into it) and validates from the root's key down. Here
 * there is no Internet: a real `named` answers on the root servers' IPv4 addresses (put on the
 * test side's bridge, where the host's default route leads), serving a root zone that delegates
 * each zone of the world (the platform's, the outside world's, the blocklists', the stand-ins')
 * to the world's DNS server. The zone is signed with a throwaway key made for each rehearsal, and
 * that key is the host's trust anchor in place of the real root's (written where unbound keeps
 * its anchor, newer than Debian's copy so that unbound's unit keeps it): a substitution, listed
 * with the others. The world's zones are unsigned, so answers from them are insecure (not bogus),
 * as answers of unsigned zones are on the Internet.
 */
import { execFileSync, spawn, type ChildProcess } from "child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { waitForPort } from "./acme";

/**
 * The IPv4 addresses of the root servers as unbound's compiled-in hints name them: a to m, and
 * b's address before its 2023 change (Debian 12's unbound 1.17 still names it).
 */
export const ROOT_SERVERS: readonly { readonly name: string; readonly ipv4: string }[] = [
  { name: "a.root-servers.net", ipv4: "198.41.0.4" },
  { name: "b.root-servers.net", ipv4: "170.247.170.2" },
  { name: "c.root-servers.net", ipv4: "192.33.4.12" },
  { name: "d.root-servers.net", ipv4: "199.7.91.13" },
  { name: "e.root-servers.net", ipv4: "192.203.230.10" },
  { name: "f.root-servers.net", ipv4: "192.5.5.241" },
  { name: "g.root-servers.net", ipv4: "192.112.36.4" },
  { name: "h.root-servers.net", ipv4: "198.97.190.53" },
  { name: "i.root-servers.net", ipv4: "192.36.148.17" },
  { name: "j.root-servers.net", ipv4: "192.58.128.30" },
  { name: "k.root-servers.net", ipv4: "193.0.14.129" },
  { name: "l.root-servers.net", ipv4: "199.7.83.42" },
  { name: "m.root-servers.net", ipv4: "202.12.27.33" },
];

/** b.root-servers.net's address until November 2023, still in the hints of older unbound releases. */
export const FORMER_ROOT_ADDRESSES: readonly string[] = ["199.9.14.201"];

/** Every address the stand-in root answers on. */
export const ROOT_ADDRESSES: readonly string[] = [...ROOT_SERVERS.map((s) => s.ipv4), ...FORMER_ROOT_ADDRESSES];

/** The root zone's text: the root servers, and a delegation of each world zone to `ns.<zone>` at the world's DNS address. */
export function rootZoneText(zones: readonly string[], worldDns: string): string {
  const lines = [
    "$TTL 3600",
    ". IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400",
    ...ROOT_SERVERS.map((s) => `. IN NS ${s.name}.`),
    ...ROOT_SERVERS.map((s) => `${s.name}. IN A ${s.ipv4}`),
  ];
  for (const zone of [...zones].sort()) lines.push(`${zone}. IN NS ns.${zone}.`, `ns.${zone}. IN A ${worldDns}`);
  return `${lines.join("\n")}\n`;
}

function run(program: string, args: readonly string[], cwd: string): void {
  execFileSync(program, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** `named` serving the signed stand-in root zone on the root servers' addresses. */
export class WorldRoot {
  private named?: ChildProcess;
  /** The DS record of the root's key: the host's trust anchor (unbound's root.key format). */
  trustAnchor = "";

  constructor(
    private readonly dir: string,
    private readonly zones: readonly string[],
    private readonly worldDns: string,
  ) {}

  /** Sign the zone (fresh KSK and ZSK), check and start named; the addresses must be on the bridge. */
  async start(): Promise<void> {
    const { dir } = this;
    mkdirSync(dir, { recursive: true });
    const zone = join(dir, "root.zone");
    writeFileSync(zone, rootZoneText(this.zones, this.worldDns));
    run("dnssec-keygen", ["-q", "-K", dir, "-a", "ECDSAP256SHA256", "-f", "KSK", "-n", "ZONE", "."], dir);
    run("dnssec-keygen", ["-q", "-K", dir, "-a", "ECDSAP256SHA256", "-n", "ZONE", "."], dir);
    run("dnssec-signzone", ["-q", "-S", "-K", dir, "-d", dir, "-o", ".", "-f", `${zone}.signed`, zone], dir);
    this.trustAnchor = readFileSync(join(dir, "dsset-."), "utf8");
    const conf = join(dir, "named.conf");
    writeFileSync(
      conf,
      [
        "options {",
        `  directory "${dir}";`,
        `  pid-file "${join(dir, "named.pid")}";`,
        `  listen-on port 53 { ${ROOT_ADDRESSES.join("; ")}; };`,
        "  listen-on-v6 { none; };",
        "  recursion no;",
        "  allow-query { any; };",
        "  dnssec-validation no;",
        // Each query in the log: an iterating resolver asks the root, the VPC resolver's clients never do.
        "  querylog yes;",
        "};",
        "logging {",
        `  channel file { file "${join(dir, "named.log")}"; severity info; };`,
        "  category default { file; };",
        "  category queries { file; };",
        "};",
        `zone "." { type primary; file "${zone}.signed"; };`,
        "",
      ].join("\n"),
    );
    run("named-checkconf", [conf], dir);
    const log = openSync(join(dir, "named.out"), "a");
    this.named = spawn("named", ["-c", conf, "-f", "-4"], { stdio: ["ignore", log, log] });
    closeSync(log);
    await waitForPort(ROOT_ADDRESSES[0]!, 53);
  }

  /** The queries the root servers answered (named's query log), to show who asked them. */
  queryLog(): string {
    try {
      return readFileSync(join(this.dir, "named.log"), "utf8");
    } catch {
      return "";
    }
  }

  /** Stop named. */
  async stop(): Promise<void> {
    const named = this.named;
    if (!named || named.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => named.once("exit", () => resolve()));
    named.kill("SIGTERM");
    await exited;
    this.named = undefined;
  }
}
