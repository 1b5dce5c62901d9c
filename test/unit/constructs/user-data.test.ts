import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { resources, synthExample } from "../../support/synth";
import { USER_DATA_LIMIT_BYTES } from "../../../lib/render/cloud-init/user-data";

interface CloudConfig {
  packages: string[];
  write_files: Array<{ path: string; content: string; permissions: string; owner: string; defer: boolean }>;
  runcmd: string[][];
  apt: { debconf_selections: Record<string, string> };
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

  test("writes every rendered file byte for byte, after the packages are installed", () => {
    const rendered = synthesized.platform.renderedFiles[0]!.files;
    const written = config.write_files.filter((f) => f.path !== "/usr/local/sbin/mail-platform-setup");
    expect(written.map((f) => f.path)).toEqual(rendered.map((f) => `/${f.path}`));
    written.forEach((file, i) => {
      expect(file.content).toBe(rendered[i]!.content);
      expect(file.permissions).toBe(rendered[i]!.mode);
      expect(file.defer).toBe(true);
    });
  });

  test("installs Postfix, Dovecot and certbot with the Route53 plugin from Debian", () => {
    expect(config.packages).toEqual(
      expect.arrayContaining(["postfix", "postfix-pcre", "dovecot-core", "dovecot-imapd", "dovecot-pop3d", "dovecot-lmtpd", "certbot", "python3-certbot-dns-route53"]),
    );
    expect(config.apt.debconf_selections.postfix).toBe("postfix postfix/main_mailer_type select No configuration");
  });

  test("runs a setup script that gets certificates by DNS-01, checks the configuration and starts the services", () => {
    const script = config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!;
    expect(script.permissions).toBe("0755");
    expect(config.runcmd).toEqual([["/usr/local/sbin/mail-platform-setup"]]);
    expect(script.content).toContain(
      "for name in 'mail.acme-corp.example' 'mail.acme-home.example' 'mta-sts.acme-corp.example' 'mta-sts.acme-shop.example' 'mta-sts.acme-home.example' 'mta-sts.acme-family.example'; do",
    );
    expect(script.content).toContain("--dns-route53");
    expect(script.content).toContain("--email 'hostmaster@acme-corp.example'");
    const order = ["certbot certonly", "aws ssm get-parameter", "newaliases", "postfix check", "doveconf -n", "nginx -t", "systemctl restart opendkim postfix dovecot nginx"].map((step) =>
      script.content.indexOf(step),
    );
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("contains no secret", () => {
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|AKIA[0-9A-Z]{16}|aws_secret_access_key|password\s*[:=]/i);
  });

  test("fails at synth with a clear message when it would exceed 16 KB", () => {
    expect(() =>
      synthExample((input) => {
        // Random-looking names defeat compression, as thousands of real customer domains do.
        const many = Array.from({ length: 600 }, (_, i) => ({ name: `c${((i + 7) * 2654435761) % 4294967296}x${i}.acme-corp.example` }));
        input.groups[0]!.domains.push(...many);
      }),
    ).toThrow(/user data of host "mx1" is \d+ bytes after gzip and base64; EC2 allows 16384/);
  });
});

describe("setup script", () => {
  const { spawnSync } = require("child_process") as typeof import("child_process");
  const { variants } = require("../../support/variants") as typeof import("../../support/variants");

  function script(change?: Parameters<typeof synthExample>[0]): string {
    const instance = resources(synthExample(change).json, "aws_instance")[0]!;
    return decode(String(instance.user_data_base64)).config.write_files.find((f) => f.path === "/usr/local/sbin/mail-platform-setup")!.content;
  }

  test.each(variants().map((v) => [v.name, v] as const))("is valid bash for variant %s (bash -n)", (_name, variant) => {
    const result = spawnSync("bash", ["-n"], { input: script((input) => Object.assign(input, structuredClone(variant.input))), encoding: "utf8" });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });

  test("keeps the certificate key across renewals exactly for host names in DNSSEC zones", () => {
    const dnsVariant = variants().find((v) => v.name.startsWith("DNS:"))!;
    const text = script((input) => Object.assign(input, structuredClone(dnsVariant.input)));
    expect(text).toContain("issue_certificate 'mail.acme-corp.example' --reuse-key");
    expect(text).not.toMatch(/for name in [^\n]*'mail\.acme-corp\.example'/);
    expect(text).toMatch(/for name in 'mail\.acme-home\.example' /);
    expect(script()).not.toContain("--reuse-key  #");
  });
});
