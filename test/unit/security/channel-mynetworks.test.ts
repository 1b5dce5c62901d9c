/**
 * postfix-loopback-mynetworks on a platform of several hosts: the host-to-host channel names its
 * backup MX in mynetworks to decide who may connect, and relays nothing for them, so the pack
 * passes it; a channel whose restrictions let mynetworks relay, or whose mynetworks is a network,
 * is still a finding.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { spreadPlatform } from "../../../bench/spread-platform";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import { postfixLoopbackMynetworks } from "../../../lib/security/rules/postfix-loopback-mynetworks";

/** Four hosts, each home to one group and backup MX of another. */
function spreadStack(): { stack: TerraformStack; platform: MailPlatform } {
  const stack = new TerraformStack(Testing.app(), "spread");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  return { stack, platform: new MailPlatform(stack, "mail", { platform: spreadPlatform(4, 4, 8) }) };
}

/** The platform's master.cf files changed by `tamper`, as if a later change had rendered them so. */
function tamperMasterCf(platform: MailPlatform, tamper: (text: string) => string): void {
  const tampered = platform.renderedFiles.map((h) => ({
    ...h,
    files: h.files.map((f) => (f.path === "etc/postfix/master.cf" ? { ...f, content: tamper(f.content) } : f)),
  }));
  Object.assign(platform, { renderedFiles: tampered });
}

describe("the host-to-host channel under postfix-loopback-mynetworks", () => {
  test("a platform with backup MX synthesizes under its own pack, its channels trusting their backup MX to connect", () => {
    const { stack, platform } = spreadStack();
    // GIVEN channels whose mynetworks are the backup MX's private addresses
    const channels = platform.renderedFiles.map((h) => h.files.find((f) => f.path === "etc/postfix/master.cf")!.content);
    for (const text of channels) expect(text).toMatch(/^\s+-o mynetworks=10\.0\.\d+\.\d+\/32$/m);

    // THEN synthesis passes with no finding
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    expect(platform.securityChecks!.findings).toEqual([]);
    expect(postfixLoopbackMynetworks.evaluate(platform).status).toBe("compliant");
  });

  test.each([
    [
      "its relay restrictions permit mynetworks",
      (t: string) =>
        t.replace("-o smtpd_relay_restrictions=reject_unauth_destination", "-o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination"),
    ],
    [
      "its recipient restrictions permit mynetworks",
      (t: string) => t.replace("-o smtpd_recipient_restrictions=permit\n", "-o smtpd_recipient_restrictions=permit_mynetworks,reject\n"),
    ],
    ["it sets no relay restrictions of its own", (t: string) => t.replace(/\n\s+-o smtpd_relay_restrictions=reject_unauth_destination/g, "")],
    ["its mynetworks is a network", (t: string) => t.replace(/(-o mynetworks=10\.0\.\d+\.)\d+\/32/, (_m, net: string) => `${net}0/24`)],
    ["its mynetworks is a public address", (t: string) => t.replace(/-o mynetworks=10\.0\.\d+\.\d+\/32/, "-o mynetworks=198.51.100.7/32")],
  ])("is a finding when %s", (_what, tamper) => {
    const { platform } = spreadStack();
    tamperMasterCf(platform, (t) => {
      const changed = tamper(t);
      expect(changed).not.toBe(t);
      return changed;
    });
    const result = postfixLoopbackMynetworks.evaluate(platform);
    expect(result).toMatchObject({ status: "non-compliant", reason: expect.stringMatching(/master\.cf 10\.0\.\d+\.\d+:\d+: mynetworks = /) });
  });
});
