/**
 * Client autoconfiguration: Thunderbird's autoconfig and Outlook's autodiscover documents name
 * exactly the hosts, ports and TLS modes the SRV records name, for every group and every
 * combination of the client service switches; the names they are served on get A records,
 * certificates and nginx server blocks, and cannot be taken by a group host name.
 */
import type { DnsRecord } from "../../lib/catalogue/dns-record-types";
import { certificateNames } from "../../lib/model/certificate-names";
import type { PlatformInput } from "../../lib/model/schema";
import { dnsRecords } from "../../lib/plan/dns-records";
import { plan } from "../../lib/plan/plan";
import type { Plan } from "../../lib/plan/types";
import { renderPlatform, type HostFiles } from "../../lib/render/host-files";
import { validatePlatform } from "../../lib/validation/validate";
import { readAutodiscover, readThunderbirdConfig, srvEndpoints, type Endpoint } from "../support/client-config-xml";
import { exampleInput, examplePlan, fileText, renderExample } from "../support/example";
import { addSecondHost } from "../support/variants";

const CLIENT_SWITCHES = ["submissions", "submission", "imap", "imaps", "pop3", "pop3s"] as const;
const AUTOCONFIG_ROOT = "var/www/mail-platform/client-config";

const withAutoconfig = (input: PlatformInput) => {
  input.dns!.clientAutoconfig = {};
};

function endpointKey(e: Endpoint): string {
  return `${e.protocol} ${e.hostName}:${e.port} ${e.tls}`;
}

function documents(hosts: readonly HostFiles[], planned: Plan, domain: string) {
  const group = planned.domains.find((d) => d.name === domain)!.group;
  const home = planned.placements.find((p) => p.group === group)!.home;
  const autoconfig = fileText(hosts, `${AUTOCONFIG_ROOT}/autoconfig/${domain}.xml`, home);
  const autodiscover = fileText(hosts, `${AUTOCONFIG_ROOT}/autodiscover/${group}.xml`, home);
  // The group's home serves its documents (its autoconfig and autodiscover names point there); a backup MX does not.
  for (const host of hosts.filter((h) => h.host !== home)) {
    expect(host.files.map((f) => f.path)).not.toContain(`${AUTOCONFIG_ROOT}/autoconfig/${domain}.xml`);
    expect(host.files.map((f) => f.path)).not.toContain(`${AUTOCONFIG_ROOT}/autodiscover/${group}.xml`);
  }
  return { thunderbird: readThunderbirdConfig(autoconfig), outlook: readAutodiscover(autodiscover) };
}

type Switches = Record<(typeof CLIENT_SWITCHES)[number], boolean>;
const combinations: readonly Switches[] = Array.from(
  { length: 2 ** CLIENT_SWITCHES.length },
  (_, bits) => Object.fromEntries(CLIENT_SWITCHES.map((name, i) => [name, (bits & (1 << i)) !== 0])) as Switches,
);

describe("autoconfig, autodiscover and SRV records agree on host, port and TLS mode", () => {
  const complete = (s: Record<string, boolean>) => (s.imap || s.imaps || s.pop3 || s.pop3s) && (s.submission || s.submissions);

  test.each(combinations.filter(complete).map((s) => [CLIENT_SWITCHES.filter((n) => s[n]).join(" ") || "none", s] as const))(
    "GIVEN two hosts, two groups and client services {%s} THEN every group's documents name what its SRV records name",
    (_name, switches) => {
      const input = exampleInput();
      addSecondHost(input);
      withAutoconfig(input);
      input.services = { ...input.services, ...switches };
      const result = validatePlatform(input);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      const planned = plan(result.spec);
      const records = dnsRecords(planned);
      const hosts = renderPlatform(planned);
      for (const domain of planned.domains) {
        const srv = srvEndpoints(records, domain.name);
        const { thunderbird, outlook } = documents(hosts, planned, domain.name);
        const fromAutoconfig = [...thunderbird.incoming, ...thunderbird.outgoing];
        expect(fromAutoconfig.map(endpointKey).sort()).toEqual(srv.map(endpointKey).sort());
        expect(outlook.protocols.map(endpointKey).sort()).toEqual(srv.map(endpointKey).sort());
        // Both documents give the same order, and within a service the SRV priority order.
        expect(outlook.protocols.map(endpointKey)).toEqual(fromAutoconfig.map(endpointKey));
        for (const protocol of ["imap", "pop3", "smtp"] as const) {
          const listed = fromAutoconfig.filter((e) => e.protocol === protocol);
          const implicitFirst = [...listed].sort((a, b) => (a.tls === b.tls ? 0 : a.tls === "implicit" ? -1 : 1));
          expect(listed).toEqual(implicitFirst);
        }
        expect(srv.length).toBe(CLIENT_SWITCHES.filter((n) => switches[n]).length);
        // Clients are sent to the group's home only.
        expect(new Set(srv.map((e) => e.hostName))).toEqual(new Set([planned.placements.find((p) => p.group === domain.group)!.mxHosts[0]!.address.hostName]));
        expect(thunderbird.id).toBe(domain.name);
        expect(thunderbird.domains).toEqual([domain.name]);
        expect(new Set(thunderbird.logins)).toEqual(new Set(["%EMAILADDRESS%/password-cleartext"]));
        expect(outlook.accountType).toBe("email");
        expect(outlook.action).toBe("settings");
        for (const p of outlook.protocols) {
          expect({ spa: p.spa, authRequired: p.authRequired, ssl: p.ssl, loginName: p.loginName }).toEqual({
            spa: "off",
            authRequired: "on",
            ssl: p.tls === "implicit" ? "on" : "off",
            loginName: undefined,
          });
        }
      }
    },
  );

  test.each(combinations.filter((s) => !complete(s)).map((s) => [CLIENT_SWITCHES.filter((n) => s[n]).join(" ") || "none", s] as const))(
    "fails validation with client services {%s}: nothing to read or nothing to send mail with",
    (_name, switches) => {
      const input = exampleInput();
      withAutoconfig(input);
      input.services = { ...input.services, ...switches };
      const result = validatePlatform(input);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues.filter((i) => i.path === "dns.clientAutoconfig").map((i) => i.message)).toEqual([
        expect.stringMatching(/at least one of imaps, imap, pop3s, pop3 and one of submissions, submission/),
      ]);
    },
  );
});

describe("what serving autoconfiguration adds", () => {
  const byName = (records: readonly DnsRecord[], name: string, type: string) => records.filter((r) => r.name === name && r.type === type);

  test("nothing without dns.clientAutoconfig: no names, records, files or certificates", () => {
    const planned = examplePlan();
    expect(planned.autoconfig).toEqual({ served: false, hostNames: [] });
    const records = dnsRecords(planned);
    expect(records.filter((r) => /^(autoconfig|autodiscover)\./.test(r.name))).toEqual([]);
    expect(renderExample()[0]!.files.filter((f) => /autoconfig|client-config/.test(f.path))).toEqual([]);
    expect(certificateNames(planned.spec, "mx1").filter((n) => /^(autoconfig|autodiscover)\./.test(n))).toEqual([]);
  });

  test("A records of autoconfig.<domain> and autodiscover.<domain> point at the group's home, as mta-sts.<domain> does", () => {
    const input = exampleInput();
    addSecondHost(input);
    withAutoconfig(input);
    const planned = plan(validateOk(input));
    const records = dnsRecords(planned);
    for (const domain of planned.domains) {
      const mtaSts = byName(records, `mta-sts.${domain.name}`, "A")[0]!;
      for (const name of [`autoconfig.${domain.name}`, `autodiscover.${domain.name}`]) {
        const [record] = byName(records, name, "A");
        expect(record!.values).toEqual(mtaSts.values);
        const home = planned.placements.find((p) => p.group === domain.group)!.home;
        expect(record!.values).toEqual([[{ publicIpOf: { host: home, group: domain.group } }]]);
        expect(record!.zone).toBe(mtaSts.zone);
      }
    }
  });

  test("each host needs certificates for both names of every group domain, after the MTA-STS names", () => {
    const planned = examplePlan(withAutoconfig);
    const domains = planned.domains.map((d) => d.name);
    expect(certificateNames(planned.spec, "mx1")).toEqual([
      "mail.acme-corp.example",
      "mail.acme-home.example",
      ...domains.map((d) => `mta-sts.${d}`),
      ...domains.flatMap((d) => [`autoconfig.${d}`, `autodiscover.${d}`]),
    ]);
    expect(planned.autoconfig.hostNames).toEqual(domains.flatMap((d) => [`autoconfig.${d}`, `autodiscover.${d}`]));
  });

  test("port 443 opens and nginx runs for autoconfiguration alone; with MTA-STS the rule keeps its name", () => {
    const alone = examplePlan((i) => {
      withAutoconfig(i);
      delete i.dns!.mtaSts;
    });
    expect(alone.ports.filter((p) => p.port === 443)).toEqual([{ port: 443, service: "autoconfig", description: "mail client autoconfiguration over HTTPS" }]);
    expect(alone.daemons.map((d) => d.name)).toContain("nginx");
    expect(alone.hosts[0]!.expectedListeners).toEqual(
      expect.arrayContaining([
        ["10.0.1.11", 443],
        ["10.0.1.12", 443],
      ]),
    );
    const both = examplePlan(withAutoconfig);
    expect(both.ports.filter((p) => p.port === 443)).toEqual([
      { port: 443, service: "mta-sts", description: "MTA-STS policy and mail client autoconfiguration over HTTPS" },
    ]);
    const neither = examplePlan((i) => delete i.dns!.mtaSts);
    expect(neither.ports.some((p) => p.port === 443)).toBe(false);
    expect(neither.daemons.map((d) => d.name)).not.toContain("nginx");
  });

  test("nginx: one autoconfig and one autodiscover server per domain on the group's address, with that name's certificate", () => {
    const conf = fileText(renderExample(withAutoconfig), "etc/nginx/conf.d/mail-platform-autoconfig.conf");
    const servers = conf.split(/^server \{$/m).slice(1);
    expect(servers).toHaveLength(8);
    const shop = servers.find((s) => s.includes("server_name autodiscover.acme-shop.example;"))!;
    expect(shop).toContain("listen 10.0.1.11:443 ssl;");
    expect(shop).toContain("ssl_certificate /etc/letsencrypt/live/autodiscover.acme-shop.example/fullchain.pem;");
    expect(shop).toContain("location = /autodiscover/autodiscover.xml {");
    expect(shop).toContain("limit_except GET POST { deny all; }");
    expect(shop).toContain(`alias /${AUTOCONFIG_ROOT}/autodiscover/business.xml;`);
    const home = servers.find((s) => s.includes("server_name autoconfig.acme-home.example;"))!;
    expect(home).toContain("listen 10.0.1.12:443 ssl;");
    expect(home).toContain("location = /mail/config-v1.1.xml {");
    expect(home).toContain("location = /.well-known/autoconfig/mail/config-v1.1.xml {");
    expect(home).toContain(`alias /${AUTOCONFIG_ROOT}/autoconfig/acme-home.example.xml;`);
  });
});

describe("names and text in the documents", () => {
  test("a display name with XML's special characters arrives as written", () => {
    const displayName = `Acme & Sons <Mail> "quoted" 'single' ]]>`;
    const hosts = renderExample((i) => (i.dns!.clientAutoconfig = { displayName }));
    const xml = fileText(hosts, `${AUTOCONFIG_ROOT}/autoconfig/acme-corp.example.xml`);
    expect(readThunderbirdConfig(xml).displayName).toBe(displayName);
    expect(xml).not.toContain("<Mail>");
  });

  test("the display name defaults to the domain name", () => {
    const xml = fileText(renderExample(withAutoconfig), `${AUTOCONFIG_ROOT}/autoconfig/acme-family.example.xml`);
    expect(readThunderbirdConfig(xml).displayName).toBe("acme-family.example");
  });

  test("fails validation for a display name with a control character or a line break", () => {
    for (const displayName of ["Acme\nMail", "Acme\u0007", " Acme", ""]) {
      const input = exampleInput();
      input.dns!.clientAutoconfig = { displayName };
      const result = validatePlatform(input);
      expect(result.ok ? [] : result.issues.map((i) => i.path)).toContain("dns.clientAutoconfig.displayName");
    }
  });

  test.each(["autoconfig.acme-corp.example", "autodiscover.acme-family.example"])("fails validation when a group host name is %s", (name) => {
    const input = exampleInput();
    withAutoconfig(input);
    input.groups[1]!.addresses[0]!.hostName = name;
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === "groups[1].addresses[0].hostName" && /client autoconfiguration host/.test(i.message));
    expect(issue?.message).toContain(`${name} is a client autoconfiguration host the platform publishes for ${name.slice(name.indexOf(".") + 1)}`);
  });

  test("the same host name is fine when autoconfiguration is off", () => {
    const input = exampleInput();
    input.groups[1]!.addresses[0]!.hostName = "autoconfig.acme-home.example";
    const result = validatePlatform(input);
    expect(result.ok ? [] : result.issues.filter((i) => /autoconfiguration/.test(i.message))).toEqual([]);
  });
});

function validateOk(input: PlatformInput) {
  const result = validatePlatform(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return result.spec;
}
