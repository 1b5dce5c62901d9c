/**
 * Sieve/ManageSieve in dovecot.conf (Dovecot 2.3 and 2.4), postsrsd's configuration (postsrsd
 * 1.10 on both Debian releases), the SRS part of main.cf, and the daemons, ports and packages
 * that follow from the two switches.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { hostPackages } from "../../lib/rollout/bootstrap/packages";
import { examplePlan, fileText, mainCfSettings, renderExample } from "../support/example";

const FORWARD = (input: PlatformInput) => {
  input.groups[1]!.aliases = [{ address: "kids@acme-home.example", to: ["grandma@elsewhere.example"] }];
};
const MANAGESIEVE = (input: PlatformInput) => {
  input.services = { ...input.services, managesieve: true };
};

function render(os: "debian-12" | "debian-13", ...changes: Array<(input: PlatformInput) => void>) {
  return renderExample((input) => {
    input.os = os;
    for (const change of changes) change(input);
  });
}

describe.each(["debian-12", "debian-13"] as const)("%s: Sieve at delivery", (os) => {
  // Without the comment lines: the assertions read the settings and their nesting.
  const conf = (...changes: Array<(input: PlatformInput) => void>) =>
    fileText(render(os, ...changes), "etc/dovecot/dovecot.conf")
      .split("\n")
      .filter((line) => !/^\s*#/.test(line))
      .join("\n");

  test("runs the user's active script at LMTP delivery, with vacation replies sent from the recipient through sendmail", () => {
    const text = conf();
    if (os === "debian-12") {
      expect(text).toContain("protocol lmtp {\n  mail_plugins = $mail_plugins sieve\n}");
      expect(text).toMatch(/^ {2}sieve = file:~\/sieve;active=~\/\.dovecot\.sieve$/m);
      expect(text).toMatch(/^ {2}sieve_vacation_send_from_recipient = yes$/m);
    } else {
      expect(text).toContain("protocol lmtp {\n  mail_plugins {\n    sieve = yes\n  }\n}");
      expect(text).toContain("sieve_script personal {\n  driver = file\n  path = ~/sieve\n  active_path = ~/.dovecot.sieve\n}");
      expect(text).toMatch(/^sieve_vacation_send_from_recipient = yes$/m);
    }
    expect(text).toMatch(/^sendmail_path = \/usr\/sbin\/sendmail$/m);
  });

  test("ManageSieve is off by default: no sieve protocol, no listener", () => {
    const text = conf();
    expect(text).toMatch(/^protocols = imap pop3 lmtp$/m);
    expect(text).not.toContain("managesieve-login");
  });

  test("ManageSieve on: protocol sieve and a 4190 listener on the group addresses, under the global TLS requirement", () => {
    const text = conf(MANAGESIEVE);
    expect(text).toMatch(/^protocols = imap pop3 lmtp sieve$/m);
    const keyword = os === "debian-12" ? "address" : "listen";
    expect(text).toContain(`service managesieve-login {\n  inet_listener sieve {\n    ${keyword} = 10.0.1.11, 10.0.1.12\n    port = 4190\n  }\n}`);
    expect(text).toMatch(/^ssl = required$/m);
  });
});

describe("ManageSieve in the plan and the host packages", () => {
  test("port 4190 is opened only when the switch is on", () => {
    expect(examplePlan().ports.map((p) => p.port)).not.toContain(4190);
    expect(examplePlan(MANAGESIEVE).ports.find((p) => p.port === 4190)?.service).toBe("managesieve");
    expect(examplePlan(MANAGESIEVE).hosts[0]!.expectedListeners).toContainEqual(["10.0.1.11", 4190]);
  });

  test.each(["debian-12", "debian-13"] as const)("%s: dovecot-sieve always, dovecot-managesieved only with the switch", (os) => {
    const packages = (...changes: Array<(input: PlatformInput) => void>) => {
      const plan = examplePlan((input) => {
        input.os = os;
        for (const change of changes) change(input);
      });
      return hostPackages(plan, plan.hosts[0]!);
    };
    expect(packages()).toContain("dovecot-sieve");
    expect(packages()).not.toContain("dovecot-managesieved");
    expect(packages(MANAGESIEVE)).toContain("dovecot-managesieved");
  });
});

describe("SRS (postsrsd)", () => {
  test("off without a foreign forward: no daemon, no file, no canonical maps", () => {
    const plan = examplePlan();
    expect(plan.srs).toEqual({ enabled: false });
    expect(plan.daemons.map((d) => d.name)).not.toContain("postsrsd");
    const [host] = render("debian-13");
    expect(host!.files.map((f) => f.path).filter((p) => p.includes("postsrsd"))).toEqual([]);
    expect(mainCfSettings(fileText([host!], "etc/postfix/main.cf")).has("sender_canonical_maps")).toBe(false);
  });

  test("on with a foreign forward: the forwarding group's first domain, every platform domain excluded, postsrsd called by Postfix", () => {
    const plan = examplePlan(FORWARD);
    expect(plan.srs).toEqual({
      enabled: true,
      domain: "acme-home.example",
      excludedDomains: ["acme-corp.example", "acme-shop.example", "acme-home.example", "acme-family.example"],
    });
    expect(plan.daemons.find((d) => d.name === "postsrsd")).toMatchObject({ package: "postsrsd", unit: "postsrsd", calledByPostfix: true });
    expect(hostPackages(plan, plan.hosts[0]!)).toContain("postsrsd");
  });

  test.each(["debian-12", "debian-13"] as const)(
    "%s: /etc/default/postsrsd for Debian's postsrsd 1.10 launcher and TCP tables on loopback (trixie ships 1.10 too)",
    (os) => {
      const hosts = render(os, FORWARD);
      const defaults = fileText(hosts, "etc/default/postsrsd");
      expect(defaults).toMatch(/^SRS_DOMAIN=acme-home\.example$/m);
      expect(defaults).toMatch(/^SRS_EXCLUDE_DOMAINS=acme-corp\.example,acme-shop\.example,acme-home\.example,acme-family\.example$/m);
      expect(defaults).toMatch(/^SRS_LISTEN_ADDR=127\.0\.0\.1$/m);
      expect(defaults).toMatch(/^SRS_FORWARD_PORT=10001$/m);
      expect(defaults).toMatch(/^SRS_REVERSE_PORT=10002$/m);
      expect(defaults).toMatch(/^SRS_SECRET=\/etc\/postsrsd\.secret$/m);
      const main = mainCfSettings(fileText(hosts, "etc/postfix/main.cf"));
      expect([main.get("sender_canonical_maps"), main.get("recipient_canonical_maps")]).toEqual(["tcp:127.0.0.1:10001", "tcp:127.0.0.1:10002"]);
      expect([main.get("sender_canonical_classes"), main.get("recipient_canonical_classes")]).toEqual([
        "envelope_sender",
        "envelope_recipient, header_recipient",
      ]);
      // postsrsd 2.x's file and socketmap: no package of either release reads or serves them.
      expect(hosts[0]!.files.map((f) => f.path).filter((p) => p.includes("postsrsd"))).toEqual(["etc/default/postsrsd"]);
    },
  );

  test("no secret is rendered: only the path of the file the host makes", () => {
    for (const os of ["debian-12", "debian-13"] as const) {
      const text = render(os, FORWARD)[0]!
        .files.filter((f) => f.path.includes("postsrsd"))
        .map((f) => f.content)
        .join("\n");
      expect(text).toContain("/etc/postsrsd.secret");
      expect(text).not.toMatch(/secret\s*=\s*"?[A-Za-z0-9+/]{16,}/);
    }
  });
});
