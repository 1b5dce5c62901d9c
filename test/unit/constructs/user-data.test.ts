import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { resources, synthExample } from "../../support/synth";
import { USER_DATA_LIMIT_BYTES } from "../../../lib/rollout/bootstrap/user-data";
import { awsClientScriptText } from "../../../lib/rollout/aws-client-script";
import { rolloutFiles } from "../../../lib/rollout/production-bundle";

interface CloudConfig {
  write_files: Array<{ path: string; content: string; permissions: string; owner: string }>;
  runcmd: string[][];
}

function decode(userDataBase64: string): { text: string; config: CloudConfig } {
  const text = gunzipSync(Buffer.from(userDataBase64, "base64")).toString("utf8");
  return { text, config: parse(text) as CloudConfig };
}

describe("user data", () => {
  const synthesized = synthExample();
  const instance = resources(synthesized.json, "aws_instance")[0]!;
  const { text, config } = decode(String(instance.user_data_base64));

  test("is a gzip + base64 cloud-config under EC2's 16 KB limit", () => {
    expect(String(instance.user_data_base64).length).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    expect(text.startsWith("#cloud-config\n")).toBe(true);
  });

  test("the configuration travels as the published bundle: its files are the rendered files byte for byte, the users sync, the AWS client, the blocklist watch and the content filter's drop-ins", () => {
    const rendered = [
      ...synthesized.platform.renderedFiles[0]!.files.map((f) => ({ ...f, path: `/${f.path}` })),
      ...rolloutFiles(synthesized.platform.plan, synthesized.platform.plan.hosts[0]!),
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    const object = resources(synthesized.json, "aws_s3_object")[0]!;
    expect(object.source).toBe("mail-platform/acme-mail/mx1.bundle.json");
    expect(object).not.toHaveProperty("content");
    const bundle = JSON.parse(synthesized.readSource(String(object.source))!) as { id: string; files: Array<{ path: string; mode: string; content: string }> };
    expect(bundle.files.map((f) => f.path)).toEqual(rendered.map((f) => f.path));
    bundle.files.forEach((file, i) => {
      expect(file.content).toBe(rendered[i]!.content);
      expect(file.mode).toBe(rendered[i]!.mode);
    });
    expect(object.key).toBe(`bundles/mx1/${bundle.id}.json`);
    const setup = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!.content;
    expect(setup).toContain(`bundle='s3://acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/${bundle.id}.json'`);
    expect(setup).toContain(`/usr/local/sbin/mail-platform-apply --no-reload "$bundle"`);
  });

  test("installs the apply script and the AWS client byte for byte, and no rendered file", () => {
    const { applyScriptText } = require("../../../lib/rollout/apply-script") as typeof import("../../../lib/rollout/apply-script");
    expect(config.write_files.map((f) => [f.path, f.permissions])).toEqual([
      ["/usr/sbin/policy-rc.d", "0755"],
      ["/usr/local/sbin/mail-platform-apply", "0755"],
      ["/usr/local/sbin/mail-platform-aws", "0755"],
      ["/usr/local/sbin/mail-platform-certificates", "0755"],
      ["/usr/local/sbin/mail-platform-setup", "0755"],
      ["/etc/systemd/system/mail-platform-setup.service", "0644"],
    ]);
    expect(config.write_files[1]!.content).toBe(applyScriptText());
    expect(config.write_files[2]!.content).toBe(awsClientScriptText());
  });

  test("holds package daemons until the setup is done: policy-rc.d refuses every start, the setup removes it", () => {
    const policy = config.write_files.find((f) => f.path === "/usr/sbin/policy-rc.d")!.content;
    expect(policy).toMatch(/^#!\/bin\/sh\n/);
    expect(policy.trimEnd().split("\n").pop()).toBe("exit 101");
    const setup = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!.content;
    expect(setup.indexOf("rm -f /usr/sbin/policy-rc.d")).toBeGreaterThan(setup.indexOf("postfix check"));
  });

  test("the setup installs Postfix, Dovecot and certbot with the Route53 plugin from Debian, waiting for a running apt", () => {
    const setup = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!.content;
    const install = setup.split("\n").find((l) => / install '/.test(l))!;
    for (const name of [
      "postfix",
      "postfix-pcre",
      "dovecot-core",
      "dovecot-imapd",
      "dovecot-pop3d",
      "dovecot-lmtpd",
      "certbot",
      "python3-certbot-dns-route53",
      "unbound",
      "dns-root-data",
    ]) {
      expect(install).toContain(`'${name}'`);
    }
    expect(install).toContain("DPkg::Lock::Timeout=600");
    expect(setup).toContain('echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections');
  });

  test("the host resolves through its own unbound once it runs: resolv.conf a plain file naming 127.0.0.1, nothing rewriting it", () => {
    const setup = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!.content;
    const lines = setup.split("\n");
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    // The symlink of systemd-resolved's stub (or resolvconf's file) goes; a plain file takes its place.
    expect(at(/^rm -f \/etc\/resolv\.conf$/)).toBeGreaterThan(at(/^systemctl restart unbound$/));
    const write = lines[at(/> \/etc\/resolv\.conf$/)]!;
    expect(write).toContain("\\nnameserver 127.0.0.1\\noptions edns0 trust-ad\\n");
    expect(write).not.toMatch(/nameserver (?!127\.0\.0\.1)/);
    expect(setup).toContain("if systemctl cat systemd-resolved.service >/dev/null 2>&1; then systemctl disable --now systemd-resolved.service; fi");
    expect(setup).toContain("printf 'make_resolv_conf() { :; }\\n' > /etc/dhcp/dhclient-enter-hooks.d/mail-platform-resolver");
    // Postfix copies resolv.conf into its chroot when it starts: after the switch.
    expect(at(/^systemctl restart unbound opendkim redis-server rspamd postfix/)).toBeGreaterThan(at(/> \/etc\/resolv\.conf$/));
    // Renewed certificates reload the daemons that hold them, not the resolver (a reload empties its cache).
    const certificates = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-certificates")!.content;
    expect(certificates).not.toContain("unbound");
  });

  test("runs the setup as a systemd unit that retries until it succeeds, once", () => {
    const unit = config.write_files.find((f) => f.path === "/etc/systemd/system/mail-platform-setup.service")!.content;
    expect(unit).toMatch(/^Type=oneshot$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=0$/m);
    expect(unit).toMatch(/^ConditionPathExists=!\/var\/lib\/mail-platform\/setup-done$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/sbin\/mail-platform-setup$/m);
    expect(config.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "mail-platform-setup.service"],
      ["systemctl", "start", "--no-block", "mail-platform-setup.service"],
    ]);
  });

  test("the setup installs the SSM agent first, gets certificates through the bundle, checks, then starts the services", () => {
    const script = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!;
    const certificates = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-certificates")!.content;
    expect(certificates).toContain("--dns-route53");
    expect(certificates).toContain("--email 'hostmaster@acme-corp.example'");
    // At first boot no daemon runs yet: the hook must not fail on them.
    expect(certificates).toContain("--deploy-hook 'systemctl try-reload-or-restart opendkim postfix dovecot nginx fail2ban'");
    const list = synthesized.platform.renderedFiles[0]!.files.find((f) => f.path === "etc/mail-platform/certificates")!.content;
    expect(list.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      "mail.acme-corp.example",
      "mail.acme-home.example",
      "mta-sts.acme-corp.example",
      "mta-sts.acme-shop.example",
      "mta-sts.acme-home.example",
      "mta-sts.acme-family.example",
    ]);
    const order = [
      "touch /var/lib/mail-platform/setup-incomplete",
      "amazon-ssm-agent.deb",
      "systemctl enable --now amazon-ssm-agent",
      " install 'ca-certificates'",
      "systemctl disable --quiet unbound opendkim redis-server rspamd postfix dovecot nginx fail2ban\n",
      "/usr/libexec/unbound-helper root_trust_anchor_update",
      "mkfs.ext4",
      "mount --bind",
      "mail-platform-apply --no-reload",
      '/usr/local/sbin/mail-platform-aws --region "$region" get-parameter "$parameter"',
      "newaliases",
      "postfix check",
      "doveconf -n",
      "unbound-checkconf >/dev/null",
      "rspamadm configtest >/dev/null",
      "nginx -t",
      "rm -f /usr/sbin/policy-rc.d",
      "systemctl enable unbound opendkim redis-server rspamd postfix dovecot nginx fail2ban\n",
      "systemctl restart unbound\n",
      "> /etc/resolv.conf",
      "systemctl restart unbound opendkim redis-server rspamd postfix dovecot nginx fail2ban\n",
      "systemctl start certbot.timer",
      "flock /var/lib/mail-platform/lock rm -f /var/lib/mail-platform/setup-incomplete",
      "touch /var/lib/mail-platform/setup-done",
    ].map((step) => script.content.indexOf(step));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("contains no secret", () => {
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|AKIA[0-9A-Z]{16}|aws_secret_access_key|password\s*[:=]/i);
  });

  test("does not grow with the number of domains (the bundle does)", () => {
    const many = synthExample((input) => {
      // Random-looking names defeat compression, as thousands of real customer domains do.
      input.groups[0]!.domains.push(...Array.from({ length: 600 }, (_, i) => ({ name: `c${((i + 7) * 2654435761) % 4294967296}x${i}.acme-corp.example` })));
    });
    const size = String(resources(many.json, "aws_instance")[0]!.user_data_base64).length;
    expect(Math.abs(size - String(instance.user_data_base64).length)).toBeLessThan(200);
    expect(many.readSource(String(resources(many.json, "aws_s3_object")[0]!.source))!.length).toBeGreaterThan(50_000);
  });

  test("refuses user data over 16 KB with a clear message", () => {
    const { encodeUserData } = require("../../../lib/rollout/bootstrap/user-data") as typeof import("../../../lib/rollout/bootstrap/user-data");
    const huge = Array.from({ length: 4000 }, (_, i) => `${i}:${((i + 3) * 2654435761) % 4294967296}`).join("\n");
    expect(() => encodeUserData("mx1", huge)).toThrow(/user data of host "mx1" is \d+ bytes after gzip and base64; EC2 allows 16384/);
  });
});

describe("setup script", () => {
  const { spawnSync } = require("child_process") as typeof import("child_process");
  const { variants } = require("../../support/variants") as typeof import("../../support/variants");

  function scripts(change?: Parameters<typeof synthExample>[0]) {
    const instance = resources(synthExample(change).json, "aws_instance")[0]!;
    return decode(String(instance.user_data_base64)).config.write_files.filter(
      (f) => f.path.endsWith("-setup") || f.path.endsWith("-certificates") || f.path.endsWith("policy-rc.d"),
    );
  }

  test.each(variants().map((v) => [v.name, v] as const))("setup and certificates scripts are valid bash for variant %s (bash -n)", (_name, variant) => {
    const found = scripts((input) => Object.assign(input, structuredClone(variant.input)));
    expect(found.map((f) => f.path)).toEqual(["/usr/sbin/policy-rc.d", "/usr/local/sbin/mail-platform-certificates", "/usr/local/sbin/mail-platform-setup"]);
    for (const file of found) {
      const result = spawnSync("bash", ["-n"], { input: file.content, encoding: "utf8" });
      expect({ file: file.path, status: result.status, stderr: result.stderr }).toEqual({ file: file.path, status: 0, stderr: "" });
    }
  });

  test("keeps the certificate key across renewals exactly for host names in DNSSEC zones", () => {
    const dnsVariant = variants().find((v) => v.name.startsWith("DNS:"))!;
    const list = (change?: Parameters<typeof synthExample>[0]) =>
      synthExample(change).platform.renderedFiles[0]!.files.find((f) => f.path === "etc/mail-platform/certificates")!.content;
    const pinned = list((input) => Object.assign(input, structuredClone(dnsVariant.input)));
    expect(pinned).toMatch(/^mail\.acme-corp\.example --reuse-key$/m);
    expect(pinned).toMatch(/^mail\.acme-home\.example$/m);
    expect(list()).not.toContain("--reuse-key\n");
  });
});
