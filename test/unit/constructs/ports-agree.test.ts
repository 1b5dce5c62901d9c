/**
 * Ports, listeners and discovery records are read off the same plan, so they cannot
 * disagree: the security group's ingress ports, the listening sockets of the rendered
 * master.cf, dovecot.conf and nginx (MTA-STS, client autoconfiguration), and the SRV records with
 * a real target (plus MX for port 25, and the MTA-STS and autoconfiguration host names for 443).
 */
import { fileText, masterCfEntries } from "../../support/example";
import { resources, synthExample, route53Records } from "../../support/synth";
import { variants } from "../../support/variants";

function listenerPorts(masterCf: string, dovecotConf: string, nginxConf: string): number[] {
  const postfix = masterCfEntries(masterCf)
    .filter((e) => e.type === "inet")
    .map((e) => Number(e.service.split(":")[1]));
  const dovecot = [...dovecotConf.matchAll(/inet_listener \w+ \{\n[^}]*port = (\d+)/g)].map((m) => Number(m[1])).filter((p) => p !== 0);
  const nginx = [...nginxConf.matchAll(/^\s+listen [\d.]+:(\d+) ssl;$/gm)].map((m) => Number(m[1]));
  return [...new Set([...postfix, ...dovecot, ...nginx])].sort((a, b) => a - b);
}

// Client autoconfiguration alone (no MTA-STS) and with it: nginx's 443 must still agree.
const autoconfigVariants = variants()
  .filter((v) => v.name === "example")
  .flatMap((v) => [
    { name: "client autoconfig without MTA-STS", input: { ...v.input, dns: { ...v.input.dns!, mtaSts: undefined, clientAutoconfig: {} } } },
    { name: "client autoconfig with MTA-STS", input: { ...v.input, dns: { ...v.input.dns!, clientAutoconfig: {} } } },
  ]);

describe.each([...variants(), ...autoconfigVariants].map((v) => [v.name, v] as const))("variant %s", (_name, variant) => {
  test("ingress ports = rendered listeners = SRV targets (+ MX for 25)", () => {
    const { json, platform } = synthExample((input) => Object.assign(input, structuredClone(variant.input)));
    const ingress = [...new Set(resources(json, "aws_vpc_security_group_ingress_rule").map((r) => Number(r.from_port)))].sort((a, b) => a - b);

    // One security group for every host: each host listens on some of its ports (a backup MX on
    // 25 only), all hosts together on every one of them.
    const listening = new Set<number>();
    for (const host of platform.renderedFiles) {
      const nginx = host.files
        .filter((f) => f.path.startsWith("etc/nginx/conf.d/"))
        .map((f) => f.content)
        .join("\n");
      const ports = listenerPorts(fileText([host], "etc/postfix/master.cf"), fileText([host], "etc/dovecot/dovecot.conf"), nginx);
      expect(ingress).toEqual(expect.arrayContaining(ports));
      for (const port of ports) listening.add(port);
    }
    expect([...listening].sort((a, b) => a - b)).toEqual(ingress);
    // The host-to-host channel is open to members of the security group only.
    const channel = platform.plan.channelPort;
    const fromGroup = resources(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.referenced_security_group_id !== undefined);
    expect(fromGroup.map((r) => Number(r.from_port))).toEqual(channel === undefined ? [] : [channel]);
    expect(fromGroup.every((r) => r.cidr_ipv4 === undefined)).toBe(true);

    const records = route53Records(json);
    const srvPorts = records
      .filter((r) => r.type === "SRV")
      .flatMap((r) => (r.records as string[]).map((v) => Number(v.split(" ")[2])))
      .filter((p) => p !== 0);
    // A null MX (RFC 7505, "0 .") says the domain takes no mail: it does not count as port 25.
    const hasMx = records.some((r) => r.type === "MX" && (r.records as string[]).some((v) => v !== "0 ."));
    // MTA-STS policy hosts and autoconfiguration hosts (their A records) are reached on 443.
    const hasHttps = records.some((r) => r.type === "A" && /^(mta-sts|autoconfig|autodiscover)\./.test(String(r.name)));
    // ManageSieve (4190) is configured in the client by hand: no DNS record names it.
    const manageSieve = platform.plan.spec.services.managesieve ? [4190] : [];
    const discovered = [
      ...new Set([...srvPorts, ...(hasMx ? [25] : []), ...(hasHttps ? [443] : []), ...manageSieve, ...(channel === undefined ? [] : [channel])]),
    ].sort((a, b) => a - b);
    expect(discovered).toEqual(ingress);
  });
});
