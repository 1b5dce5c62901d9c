/**
 * Ports, listeners and discovery records are read off the same plan, so they cannot
 * disagree: the security group's ingress ports, the listening sockets of the rendered
 * master.cf, dovecot.conf and nginx (MTA-STS), and the SRV records with a real target (plus MX
 * for port 25 and the MTA-STS host names for 443).
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

describe.each(variants().map((v) => [v.name, v] as const))("variant %s", (_name, variant) => {
  test("ingress ports = rendered listeners = SRV targets (+ MX for 25)", () => {
    const { json, platform } = synthExample((input) => Object.assign(input, structuredClone(variant.input)));
    const ingress = [...new Set(resources(json, "aws_vpc_security_group_ingress_rule").map((r) => Number(r.from_port)))].sort((a, b) => a - b);

    for (const host of platform.renderedFiles) {
      const nginx = host.files.find((f) => f.path === "etc/nginx/conf.d/mail-platform-mta-sts.conf")?.content ?? "";
      expect(listenerPorts(fileText([host], "etc/postfix/master.cf"), fileText([host], "etc/dovecot/dovecot.conf"), nginx)).toEqual(ingress);
    }

    const records = route53Records(json);
    const srvPorts = records
      .filter((r) => r.type === "SRV")
      .flatMap((r) => (r.records as string[]).map((v) => Number(v.split(" ")[2])))
      .filter((p) => p !== 0);
    // A null MX (RFC 7505, "0 .") says the domain takes no mail: it does not count as port 25.
    const hasMx = records.some((r) => r.type === "MX" && (r.records as string[]).some((v) => v !== "0 ."));
    // MTA-STS policy hosts (mta-sts.<domain> A records) are reached on 443.
    const hasMtaSts = records.some((r) => r.type === "A" && String(r.name).startsWith("mta-sts."));
    const discovered = [...new Set([...srvPorts, ...(hasMx ? [25] : []), ...(hasMtaSts ? [443] : [])])].sort((a, b) => a - b);
    expect(discovered).toEqual(ingress);
  });
});
