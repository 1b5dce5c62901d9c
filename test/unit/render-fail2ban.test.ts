/**
 * Brute-force protection as rendered: the fail2ban jail and filter on both releases, Dovecot's
 * auth_verbose, the daemon and its packages, and validation of the model's fields.
 */
import { HOST_OS, type HostOs } from "../../lib/catalogue/host-os";
import { validatePlatform } from "../../lib/validation/validate";
import type { PlatformInput } from "../../lib/model/schema";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { FAIL2BAN_FILTER_FILE, FAIL2BAN_JAIL_FILE } from "../../lib/render/fail2ban/fail2ban";
import { hostPackages } from "../../lib/rollout/bootstrap/packages";
import { exampleInput, exampleSpec } from "../support/example";

function files(change?: (input: PlatformInput) => void, options?: Parameters<typeof plan>[1]): Map<string, string> {
  const p = plan(exampleSpec(change), options);
  return new Map(renderHost(p, p.hosts[0]!).files.map((f) => [f.path, f.content]));
}

describe.each(HOST_OS.map((os) => [os] as [HostOs]))("brute-force protection on %s", (os) => {
  test("on by default: the jail closes the enabled login ports (never 25) after 5 failures in 10 minutes, for 60 minutes", () => {
    const rendered = files((i) => (i.os = os));
    const jail = rendered.get(FAIL2BAN_JAIL_FILE)!;
    expect(jail).toContain("[mail-platform-auth]\nenabled = true\nfilter = mail-platform-auth\n");
    expect(jail).toMatch(/^port = 465,587,993,995$/m);
    expect(jail).toMatch(/^maxretry = 5$/m);
    expect(jail).toMatch(/^findtime = 600$/m);
    expect(jail).toMatch(/^bantime = 3600$/m);
    expect(jail).toMatch(/^backend = systemd$/m);
    expect(jail).toMatch(/^banaction = nftables$/m);
    expect(jail).not.toMatch(/^ignoreip/m);
    expect(rendered.get(FAIL2BAN_FILTER_FILE)).toMatch(/^journalmatch = _SYSTEMD_UNIT=dovecot\.service$/m);
    expect(rendered.get("etc/dovecot/dovecot.conf")).toMatch(/^auth_verbose = yes$/m);
  });

  test("the model's numbers, every login service and neverBan reach the jail", () => {
    const jail = files((i) => {
      i.os = os;
      i.services = { ...i.services, imap: true, pop3: true, managesieve: true };
      i.bruteForce = { maxFailures: 10, findTimeMinutes: 30, banMinutes: 1440, neverBan: ["198.51.100.0/24", "2001:db8::/48", "192.0.2.7"] };
    }).get(FAIL2BAN_JAIL_FILE)!;
    expect(jail).toMatch(/^port = 110,143,465,587,993,995,4190$/m);
    expect(jail).toMatch(/^maxretry = 10$/m);
    expect(jail).toMatch(/^findtime = 1800$/m);
    expect(jail).toMatch(/^bantime = 86400$/m);
    expect(jail).toMatch(/^ignoreip = 198\.51\.100\.0\/24 2001:db8::\/48 192\.0\.2\.7$/m);
  });

  test("a moved listening port (local instance) is the port the jail closes", () => {
    const jail = files((i) => (i.os = os), { listenPorts: { submissions: 10465, imaps: 10993 } }).get(FAIL2BAN_JAIL_FILE)!;
    expect(jail).toMatch(/^port = 587,995,10465,10993$/m);
  });

  test("off: no fail2ban files, daemon, packages or auth_verbose", () => {
    const change = (i: PlatformInput) => {
      i.os = os;
      i.bruteForce = { enabled: false };
    };
    const rendered = files(change);
    expect([...rendered.keys()].filter((path) => path.includes("fail2ban"))).toEqual([]);
    expect(rendered.get("etc/dovecot/dovecot.conf")).not.toContain("auth_verbose");
    const p = plan(exampleSpec(change));
    expect(p.daemons.map((d) => d.name)).not.toContain("fail2ban");
    expect(hostPackages(p, p.hosts[0]!)).not.toContain("fail2ban");
  });

  test("with no login service (port 25 only) there is nothing to protect: fail2ban does not run", () => {
    const p = plan(
      exampleSpec((i) => {
        i.os = os;
        i.services = { smtp: true, submission: false, submissions: false, imap: false, imaps: false, pop3: false, pop3s: false, managesieve: false };
      }),
    );
    expect(p.bruteForce).toEqual({ enabled: false });
    expect(p.daemons.map((d) => d.name)).not.toContain("fail2ban");
  });

  test("the host installs fail2ban with nftables and the journal reader, and the bundle reloads it", () => {
    const p = plan(exampleSpec((i) => (i.os = os)));
    const packages = hostPackages(p, p.hosts[0]!);
    expect(packages.slice(packages.indexOf("fail2ban"), packages.indexOf("fail2ban") + 3)).toEqual(["fail2ban", "nftables", "python3-systemd"]);
    expect(p.daemons.find((d) => d.name === "fail2ban")).toMatchObject({ package: "fail2ban", unit: "fail2ban", calledByPostfix: false });
  });
});

describe("validation of bruteForce", () => {
  test("every problem at once, with its path, the value received and what is allowed", () => {
    const input = exampleInput();
    input.bruteForce = { maxFailures: 2, findTimeMinutes: 0, banMinutes: 20_000, neverBan: ["10.0.0.0/33", "2001:db8::1::2", "example.com"] };
    const result = validatePlatform(input);
    if (result.ok) throw new Error("expected the model to be invalid");
    const issues = new Map(result.issues.map((i) => [i.path, [i.received, i.message] as const]));
    expect([...issues.keys()].sort()).toEqual([
      "bruteForce.banMinutes",
      "bruteForce.findTimeMinutes",
      "bruteForce.maxFailures",
      "bruteForce.neverBan[0]",
      "bruteForce.neverBan[1]",
      "bruteForce.neverBan[2]",
    ]);
    expect(issues.get("bruteForce.maxFailures")).toEqual(["2", expect.stringMatching(/3/)]);
    expect(issues.get("bruteForce.findTimeMinutes")).toEqual(["0", expect.stringMatching(/1/)]);
    expect(issues.get("bruteForce.banMinutes")).toEqual(["20000", expect.stringMatching(/10080/)]);
    expect(issues.get("bruteForce.neverBan[0]")).toEqual(['"10.0.0.0/33"', expect.stringMatching(/IPv4 or IPv6 address or network in CIDR form/)]);
    expect(issues.get("bruteForce.neverBan[1]")).toEqual(['"2001:db8::1::2"', expect.stringMatching(/at most one ::/)]);
    expect(issues.get("bruteForce.neverBan[2]")).toEqual(['"example.com"', expect.stringMatching(/IPv4 or IPv6 address or network in CIDR form/)]);
  });

  test("an unknown field and too many neverBan entries are refused", () => {
    const input = exampleInput();
    input.bruteForce = { neverBan: Array.from({ length: 51 }, (_, i) => `192.0.2.${i}`) };
    (input.bruteForce as Record<string, unknown>).maxRetries = 3;
    const result = validatePlatform(input);
    if (result.ok) throw new Error("expected the model to be invalid");
    expect(result.issues.map((i) => i.path).sort()).toEqual(["bruteForce.maxRetries", "bruteForce.neverBan"]);
  });
});

describe("Dovecot operator settings that would defeat brute-force protection", () => {
  test("auth_verbose and auth_username_chars are refused while bruteForce is on, allowed when it is off", () => {
    const input = exampleInput();
    input.dovecot = { settings: { auth_verbose: "no", auth_username_chars: "" } };
    const result = validatePlatform(input);
    if (result.ok) throw new Error("expected the model to be invalid");
    expect(result.issues.map((i) => [i.path, i.received])).toEqual([
      ["dovecot.settings.auth_username_chars", '""'],
      ["dovecot.settings.auth_verbose", '"no"'],
    ]);
    expect(result.issues[0]!.message).toMatch(/bruteForce\.enabled to false/);
    input.bruteForce = { enabled: false };
    expect(validatePlatform(input).ok).toBe(true);
  });
});
