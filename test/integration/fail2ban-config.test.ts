/**
 * The rendered fail2ban jail and filter with the real fail2ban of each host OS (Debian 12: 1.0.2,
 * Debian 13: 1.1.0): fail2ban's own parser reads Debian's configuration plus the rendered files
 * (`fail2ban-client -d`, what the server would be told at start), and `fail2ban-regex` runs the
 * rendered filter over authentication lines in Dovecot 2.3's and 2.4's formats, as log file lines
 * and as the journal backend formats them. Only the client's address of a failed password may be
 * found: never an address that a crafted user name carries, never a login process's summary line.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { FAIL2BAN_FILTER_FILE, FAIL2BAN_JAIL, FAIL2BAN_JAIL_FILE } from "../../lib/render/fail2ban/fail2ban";
import { exampleInput } from "../support/example";
import { everyOs, toolsRoot, type OsPrograms } from "../support/os-programs";
import { requirePrograms } from "../support/programs";
import { renderToTempDir } from "../support/render-to-dir";

/** Log lines and the address each must yield (undefined: must not match). */
const LINES: ReadonlyArray<readonly [string, string | undefined]> = [
  // Dovecot 2.3 (Debian 12), its own log file and through the journal.
  ["Dec 02 20:37:35 auth: Info: passwd-file(tester@acme-corp.example,198.51.100.1,<ha2wnKxhe6J/AJcC>): Password mismatch", "198.51.100.1"],
  ["Dec 02 20:37:41 auth: Info: passwd-file(nobody@acme-corp.example,198.51.100.2,<ha2wnKxhe6J/AJcC>): unknown user", "198.51.100.2"],
  ["Dec 02 20:37:42 mx1 dovecot[811]: auth: passwd-file(tester@acme-corp.example,2001:db8::9,<ha2wnKxhe6J/AJcC>): Password mismatch", "2001:db8::9"],
  // A refused user name is shown as "?"; what it contained comes after the address.
  [
    "Dec 02 20:37:51 auth: Info: plain(?,198.51.100.3,<ha2wnKxhe6J/AJcC>): Username character disallowed by auth_username_chars: 0x3e (username: x>, method=PLAIN, rip=203.0.113.66, lip=1.1.1.1, session=<a)",
    "198.51.100.3",
  ],
  [
    "Dec 02 20:38:12 auth: Info: login(?,198.51.100.4): Username character disallowed by auth_username_chars: 0x2c (username: x,203.0.113.66,<ab>): Password mismatch)",
    "198.51.100.4",
  ],
  // Dovecot 2.4 (Debian 13): as Dovecot 2.4.1 of trixie logged them for `doveadm auth test -x rip=…` (no session id),
  // and with a login process's session id.
  ["Dec 02 21:20:12 auth(tester@acme-corp.example,198.51.100.11,sasl:plain): Info: passwd-file: Password mismatch", "198.51.100.11"],
  ["Dec 02 21:20:14 auth(nobody@acme-corp.example,198.51.100.12,sasl:plain): Info: passwd-file: unknown user", "198.51.100.12"],
  [
    "Dec 02 21:20:16 auth(?,198.51.100.13,sasl:plain): Info: plain: Username character disallowed by auth_username_chars: 0x2c (username: x,203.0.113.66)",
    "198.51.100.13",
  ],
  ["Dec 02 20:38:14 auth(info@example.com,198.51.100.5,sasl:login)<CvN+E95Uf4e7eEnj>: Info: passwd-file: Password mismatch", "198.51.100.5"],
  ["Dec 02 20:38:15 mx1 dovecot[811]: auth(info@example.com,198.51.100.6,sasl:plain)<CvN+E95Uf4e7eEnj>: passwd-file: unknown user", "198.51.100.6"],
  // Not counted: login summaries (the raw user name comes before rip=), auth workers (a second line of one attempt).
  [
    "Dec 02 20:37:53 imap-login: Info: Disconnected: Connection closed (auth failed, 3 attempts in 22 secs): user=<x>, method=PLAIN, rip=203.0.113.66, lip=1.1.1.1, session=<a>, method=PLAIN, rip=198.51.100.7, lip=127.0.150.11, TLS: Connection closed, session=<ha2wnKxhe6J/AJcC>",
    undefined,
  ],
  [
    "Dec 02 20:38:17 imap-login: Info: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<info@example.com>, method=PLAIN, rip=198.51.100.8, lip=2.3.4.5, TLS, session=<CvN+E95Uf4e7eEnj>",
    undefined,
  ],
  ["Dec 02 20:38:16 auth-worker(info@example.com,198.51.100.9)<4001084><CvN+E95Uf4e7eEnj>: request [12]: Info: sql: Password mismatch", undefined],
  // Postfix's own line of an SMTP AUTH failure: counted through Dovecot's line instead.
  ["Dec 02 20:38:18 mx1 postfix/submissions/smtpd[25660]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: (reason unavailable)", undefined],
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Debian's fail2ban configuration of the OS (without its jail.d) plus the rendered files. */
function configDir(programs: OsPrograms, rendered: string): string {
  const system = programs.native ? "/etc/fail2ban" : join(toolsRoot(programs.os), "etc", "fail2ban");
  const dir = mkdtempSync(join(tmpdir(), "mail-platform-fail2ban-"));
  dirs.push(dir);
  for (const entry of readdirSync(system)) cpSync(join(system, entry), join(dir, entry), { recursive: true });
  // Debian's own jail.d stays: the rendered [DEFAULT] must make its sshd jail work too.
  cpSync(join(rendered, FAIL2BAN_JAIL_FILE), join(dir, "jail.d", "mail-platform.conf"));
  cpSync(join(rendered, FAIL2BAN_FILTER_FILE), join(dir, "filter.d", `${FAIL2BAN_JAIL}.conf`));
  return dir;
}

describe.each(everyOs().map((p) => [p.os, p] as const))("fail2ban of %s", (os, programs) => {
  let rendered: string;

  beforeAll(() => {
    requirePrograms("fail2ban-client", "fail2ban-regex");
    const input = exampleInput();
    input.os = os;
    input.services = { ...input.services, imap: true, pop3: true, managesieve: true };
    input.bruteForce = { maxFailures: 7, findTimeMinutes: 15, banMinutes: 120, neverBan: ["192.0.2.0/24", "2001:db8:1::/48"] };
    rendered = join(renderToTempDir(input), "mx1");
    dirs.push(rendered);
  }, 600_000);

  test("reads the rendered jail with Debian's configuration: journal, nftables on the login ports, the model's numbers", () => {
    const dir = configDir(programs, rendered);
    const result = programs.run("fail2ban-client", ["-c", dir, "-d"], { timeoutMs: 120_000 });
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.status).toBe(0);
    const dump = result.stdout;
    expect(dump).toContain(`['add', '${FAIL2BAN_JAIL}', 'systemd']`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'addjournalmatch', '_SYSTEMD_UNIT=dovecot.service']`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'maxretry', 7]`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'findtime', '900']`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'bantime', '7200']`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'addignoreip', '192.0.2.0/24', '2001:db8:1::/48']`);
    expect(dump).toContain(`['set', '${FAIL2BAN_JAIL}', 'addaction', 'nftables']`);
    // 110, 143, 465, 587, 993, 995, 4190: every login port, never 25.
    expect(dump).toContain("['port', '110,143,465,587,993,995,4190']");
    // Debian's sshd jail reads the journal too (Debian 12's would look for /var/log/auth.log and stop fail2ban).
    expect(dump).toMatch(/\['add', 'sshd', 'systemd'\]/);
    expect(dump).toContain(`['start', '${FAIL2BAN_JAIL}']`);
  });

  test("the filter finds the client's address of each failed password, in Dovecot 2.3's and 2.4's formats, and nothing else", () => {
    const dir = configDir(programs, rendered);
    const log = join(dir, "lines.log");
    writeFileSync(log, LINES.map(([line]) => line).join("\n") + "\n");
    const result = programs.run("fail2ban-regex", ["-v", log, join(dir, "filter.d", `${FAIL2BAN_JAIL}.conf`)], { timeoutMs: 120_000 });
    expect(result.status).toBe(0);
    const found = [...result.stdout.matchAll(/^\|\s+(\S+)\s+\w{3} \w{3} \d+ [\d:]+ \d{4}$/gm)].map((m) => m[1]!).sort();
    const expected = LINES.flatMap(([, address]) => (address === undefined ? [] : [address])).sort();
    // 203.0.113.66, the address the crafted user names carry, is never among them.
    expect(found).toEqual(expected);
  });
});
