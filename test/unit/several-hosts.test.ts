/**
 * Several hosts, one home per mailbox: a group's mailboxes, client services and outbound mail
 * live on its home; every other host carrying one of its addresses is a backup MX that accepts
 * the group's existing addresses only and forwards to the home's channel over verified TLS.
 */
import { dnsRecords } from "../../lib/plan/dns-records";
import type { Plan } from "../../lib/plan/types";
import { renderPlatform } from "../../lib/render/host-files";
import { examplePlan, fileText, mainCfSettings, masterCfEntries } from "../support/example";
import { tableRows } from "../support/files";
import { spreadOverThreeHosts } from "../support/variants";

const BUSINESS = "acme-corp.example";
const PRIVATE = "acme-home.example";

function host(plan: Plan, name: string) {
  return plan.hosts.find((h) => h.name === name)!;
}

describe("groups spread over three hosts (business: home mx1, backup mx2; private: backup mx2, home mx3)", () => {
  const plan = examplePlan(spreadOverThreeHosts);
  const files = renderPlatform(plan);
  const [business, personal] = plan.spec.groups.map((g) => g.name) as [string, string];

  test("each group's home and MX hosts: the home first, then the backups in host order", () => {
    expect(plan.placements.map((p) => [p.group, p.home, p.mxHosts.map((m) => m.host)])).toEqual([
      [business, "mx1", ["mx1", "mx2"]],
      [personal, "mx3", ["mx3", "mx2"]],
    ]);
    expect(plan.hosts.map((h) => [h.name, h.homeGroups])).toEqual([
      ["mx1", [business]],
      ["mx2", []],
      ["mx3", [personal]],
    ]);
  });

  test("MX lists the home first; SRV, autoconfig and MTA-STS names point at the home only", () => {
    const records = dnsRecords(plan);
    const values = (name: string, type: string) => records.find((r) => r.name === name && r.type === type)!.values.map((v) => v.join(""));
    expect(values(PRIVATE, "MX")).toEqual([`10 mail.${PRIVATE}.`, `20 backup.${PRIVATE}.`]);
    expect(values(BUSINESS, "MX")).toEqual([`10 mail.${BUSINESS}.`, `20 backup.${BUSINESS}.`]);
    expect(values(`_submissions._tcp.${PRIVATE}`, "SRV")).toEqual([`0 1 465 mail.${PRIVATE}.`]);
    const mtaSts = records.find((r) => r.name === `mta-sts.${PRIVATE}` && r.type === "A")!;
    expect(mtaSts.values).toEqual([[{ publicIpOf: { host: "mx3", group: personal } }]]);
    // The MTA-STS policy names every MX host, home and backup.
    const policy = fileText(files, `var/www/mail-platform/mta-sts/${personal}.txt`, "mx3");
    expect(policy).toContain(`mx: mail.${PRIVATE}\r\nmx: backup.${PRIVATE}\r\n`);
  });

  test("a backup MX listens on port 25 only and serves no mailbox; the homes serve their own", () => {
    expect(new Set(host(plan, "mx2").listeners.map((l) => l.service.name))).toEqual(new Set(["smtp"]));
    expect(
      host(plan, "mx3")
        .listeners.filter((l) => l.address.group === personal)
        .map((l) => l.service.name),
    ).toEqual(plan.services.map((s) => s.name));
    expect(tableRows(fileText(files, "etc/postfix/virtual_mailboxes", "mx2"))).toEqual([]);
    expect(tableRows(fileText(files, "etc/postfix/mailbox_domains", "mx2"))).toEqual([]);
    const domainsOf = (group: string) => plan.domains.filter((d) => d.group === group).map((d) => [d.name, "OK"]);
    expect(tableRows(fileText(files, "etc/postfix/mailbox_domains", "mx1"))).toEqual(domainsOf(business));
    expect(tableRows(fileText(files, "etc/postfix/mailbox_domains", "mx3"))).toEqual(domainsOf(personal));
    const homeMailboxes = (name: string) => tableRows(fileText(files, "etc/postfix/virtual_mailboxes", name)).map(([address]) => address);
    expect(homeMailboxes("mx1").every((a) => a!.endsWith(`@${BUSINESS}`))).toBe(true);
    expect(homeMailboxes("mx3")).toEqual(plan.accounts.mailboxes.filter((m) => m.group === personal).map((m) => m.address));
    // Dovecot on a backup-only host serves nobody: loopback, every login listener closed.
    const dovecot = fileText(files, "etc/dovecot/dovecot.conf", "mx2");
    expect(dovecot).toMatch(/^listen = 127\.0\.0\.1$/m);
    expect([...dovecot.matchAll(/^\s+port = (\d+)$/gm)].map((m) => m[1])).toEqual(expect.arrayContaining(["0"]));
    expect([...dovecot.matchAll(/^\s+port = (\d+)$/gm)].filter((m) => m[1] !== "0")).toEqual([]);
    expect(JSON.parse(fileText(files, "etc/mail-platform/mailboxes.json", "mx2")).mailboxes).toEqual([]);
  });

  test("the backup relays the groups' existing addresses only, each group home over its own transport", () => {
    const main = mainCfSettings(fileText(files, "etc/postfix/main.cf", "mx2"));
    expect(main.get("relay_domains")).toBe("texthash:$config_directory/backup_domains");
    expect(main.get("relay_recipient_maps")).toBe("texthash:$config_directory/backup_recipients");
    expect(main.get("transport_maps")).toBe("texthash:$config_directory/backup_transport");
    expect(main.get("maximal_queue_lifetime")).toBe("10d");
    const recipients = tableRows(fileText(files, "etc/postfix/backup_recipients", "mx2")).map(([address]) => address);
    const known = [...plan.accounts.mailboxes.map((m) => m.address), ...plan.accounts.aliases.map((a) => a.address)];
    expect(new Set(recipients)).toEqual(new Set(known));
    expect(recipients).toContain(`postmaster@${PRIVATE}`);
    const mx1 = host(plan, "mx1").channel!;
    const mx3 = host(plan, "mx3").channel!;
    expect(tableRows(fileText(files, "etc/postfix/backup_transport", "mx2"))).toEqual(
      plan.domains.map((d) =>
        d.group === business
          ? [d.name, `home-${business}:[${mx1.address.privateIp}]:${mx1.port}`]
          : [d.name, `home-${personal}:[${mx3.address.privateIp}]:${mx3.port}`],
      ),
    );
    // Verified TLS to the home's own certificate name.
    expect(tableRows(fileText(files, "etc/postfix/tls_policy", "mx2"))).toEqual(
      expect.arrayContaining([[`[${mx3.address.privateIp}]:${mx3.port}`, "secure", `match=mail.${PRIVATE}`, expect.stringMatching(/^protocols=/)]]),
    );
    const forward = masterCfEntries(fileText(files, "etc/postfix/master.cf", "mx2")).find((e) => e.service === `home-${personal}`)!;
    expect(forward.command).toBe("smtp");
    expect(forward.options.get("smtp_bind_address")).toBe("10.0.2.12");
    expect(forward.options.get("smtp_helo_name")).toBe(`backup.${PRIVATE}`);
    // A home is no backup: it relays nothing.
    expect(mainCfSettings(fileText(files, "etc/postfix/main.cf", "mx1")).get("relay_domains")).toBe("");
  });

  test("a home's channel takes its backups' addresses only, over TLS, without AUTH", () => {
    const channel = host(plan, "mx3").channel!;
    expect(channel.peers).toEqual(["10.0.2.12"]);
    const entry = masterCfEntries(fileText(files, "etc/postfix/master.cf", "mx3")).find((e) => e.service === `10.0.3.12:${channel.port}`)!;
    expect(entry.command).toBe("smtpd");
    expect(entry.options.get("mynetworks")).toBe("10.0.2.12/32");
    expect(entry.options.get("smtpd_client_restrictions")).toBe("permit_mynetworks,reject");
    expect(entry.options.get("smtpd_relay_restrictions")).toBe(
      "reject_unauth_destination,check_recipient_access,texthash:$config_directory/mailbox_domains,reject",
    );
    expect(entry.options.get("smtpd_tls_security_level")).toBe("encrypt");
    expect(entry.options.get("smtpd_sasl_auth_enable")).toBe("no");
    // The pure backup is home to nobody: no channel.
    expect(host(plan, "mx2").channel).toBeUndefined();
    expect(plan.channelPort).toBe(channel.port);
  });

  test("certificates: each host its addresses' names; MTA-STS names on the home only", () => {
    const list = (name: string) => fileText(files, "etc/mail-platform/certificates", name);
    expect(list("mx2")).not.toMatch(/mta-sts\./);
    expect(list("mx3")).toMatch(new RegExp(`^mta-sts\\.${PRIVATE.replace(/\./g, "\\.")}$`, "m"));
    expect(list("mx3")).not.toMatch(new RegExp(`mta-sts\\.${BUSINESS.replace(/\./g, "\\.")}`));
  });
});

describe("one host: nothing of the backup machinery", () => {
  test("no forwards, no channel, no channel port", () => {
    const plan = examplePlan();
    expect(plan.hosts[0]!.forwards).toEqual([]);
    expect(plan.hosts[0]!.channel).toBeUndefined();
    expect(plan.channelPort).toBeUndefined();
    expect(plan.hosts[0]!.homeGroups).toEqual(plan.spec.groups.map((g) => g.name));
  });
});
