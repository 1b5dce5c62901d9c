/**
 * The seed example as the README's main command builds it. Assertions state the intent;
 * the snapshots only detect change (review them like code when they move).
 */
import { join } from "path";
import { fileTree } from "../../test/support/files";
import { Testing } from "cdktf";
import { readableSynth, route53Records } from "../../lib/testing";
import { rolloutFiles } from "../../lib/rollout/production-bundle";
import { examplePlan } from "../../test/support/example";
import { customerGroupsStack } from "./main";

describe("customer-groups example", () => {
  const outdir = Testing.fullSynth(customerGroupsStack(Testing.app()));
  const stackDir = join(outdir, "stacks", "customer-groups");
  const files = fileTree(stackDir);
  const stack = JSON.parse(files["cdk.tf.json"]!);

  test("synthesizes the stack and the rendered Postfix, Dovecot, OpenDKIM, MTA-STS and unbound files of host mx1", () => {
    expect(Object.keys(files).sort()).toEqual([
      "cdk.tf.json",
      "mail-platform/acme-mail/mx1.bundle.json",
      "mail-platform/acme-mail/mx1/etc/dovecot/dovecot.conf",
      "mail-platform/acme-mail/mx1/etc/dovecot/logins/10.0.1.11",
      "mail-platform/acme-mail/mx1/etc/dovecot/logins/10.0.1.12",
      "mail-platform/acme-mail/mx1/etc/dovecot/mailboxes",
      "mail-platform/acme-mail/mx1/etc/fail2ban/filter.d/mail-platform-auth.conf",
      "mail-platform/acme-mail/mx1/etc/fail2ban/jail.d/mail-platform.conf",
      "mail-platform/acme-mail/mx1/etc/mail-platform/certificates",
      "mail-platform/acme-mail/mx1/etc/mail-platform/dkim-keys",
      "mail-platform/acme-mail/mx1/etc/mail-platform/ffdhe2048.pem",
      "mail-platform/acme-mail/mx1/etc/mail-platform/mailboxes.json",
      "mail-platform/acme-mail/mx1/etc/nginx/conf.d/mail-platform-mta-sts.conf",
      "mail-platform/acme-mail/mx1/etc/opendkim.conf",
      "mail-platform/acme-mail/mx1/etc/opendkim/key.table",
      "mail-platform/acme-mail/mx1/etc/opendkim/signing.table",
      "mail-platform/acme-mail/mx1/etc/opendkim/trusted.hosts",
      "mail-platform/acme-mail/mx1/etc/postfix/inbound_header_checks.pcre",
      "mail-platform/acme-mail/mx1/etc/postfix/loopback_milters.cidr",
      "mail-platform/acme-mail/mx1/etc/postfix/mailbox_domains",
      "mail-platform/acme-mail/mx1/etc/postfix/main.cf",
      "mail-platform/acme-mail/mx1/etc/postfix/master.cf",
      "mail-platform/acme-mail/mx1/etc/postfix/own_helo_names",
      "mail-platform/acme-mail/mx1/etc/postfix/platform_clients",
      "mail-platform/acme-mail/mx1/etc/postfix/recipient_tls_required",
      "mail-platform/acme-mail/mx1/etc/postfix/reject_footer.pcre",
      "mail-platform/acme-mail/mx1/etc/postfix/sender_logins",
      "mail-platform/acme-mail/mx1/etc/postfix/sender_transport",
      "mail-platform/acme-mail/mx1/etc/postfix/submission_header_checks.pcre",
      "mail-platform/acme-mail/mx1/etc/postfix/submission_sender_access",
      "mail-platform/acme-mail/mx1/etc/postfix/tls_policy",
      "mail-platform/acme-mail/mx1/etc/postfix/virtual_aliases",
      "mail-platform/acme-mail/mx1/etc/postfix/virtual_mailboxes",
      "mail-platform/acme-mail/mx1/etc/redis/redis.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/actions.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/arc.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/asn.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/dkim_signing.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/dmarc.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/fuzzy_check.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/maps/mail-providers.map",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/mid.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/milter_headers.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/multimap.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/options.inc",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/phishing.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/ratelimit.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/rbl.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/redis.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/settings.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/whitelist.conf",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/worker-controller.inc",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/worker-normal.inc",
      "mail-platform/acme-mail/mx1/etc/rspamd/local.d/worker-proxy.inc",
      "mail-platform/acme-mail/mx1/etc/rspamd/rspamd.conf.local",
      "mail-platform/acme-mail/mx1/etc/rspamd/rspamd.local.lua",
      "mail-platform/acme-mail/mx1/etc/unbound/unbound.conf",
      "mail-platform/acme-mail/mx1/var/www/mail-platform/mta-sts/business.txt",
      "mail-platform/acme-mail/mx1/var/www/mail-platform/mta-sts/private.txt",
    ]);
  });

  test("has the resource kinds of one host with two group addresses", () => {
    const counts = Object.fromEntries(Object.entries(stack.resource as Record<string, object>).map(([type, byName]) => [type, Object.keys(byName).length]));
    expect(counts).toEqual({
      aws_ebs_volume: 1,
      aws_eip: 2,
      aws_eip_association: 2,
      aws_eip_domain_name: 2,
      aws_iam_instance_profile: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 4,
      aws_iam_role_policy_attachment: 1,
      aws_instance: 1,
      aws_network_interface: 1,
      // Data-driven: one resource per record type (54 record sets), one for the four created zones.
      aws_route53_record: 4,
      aws_route53_zone: 1,
      aws_s3_bucket: 1,
      aws_s3_bucket_ownership_controls: 1,
      aws_s3_bucket_policy: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_versioning: 1,
      aws_s3_object: 1,
      aws_security_group: 1,
      aws_ssm_association: 1,
      aws_vpc_security_group_egress_rule: 5,
      aws_volume_attachment: 1,
      aws_vpc_security_group_ingress_rule: 6,
    });
  });

  test("publishes 54 record sets through the four record resources", () => {
    const records = route53Records(stack);
    expect(records).toHaveLength(54);
    expect(new Set(records.map((r) => r.address)).size).toBe(54);
  });

  test("readable stack snapshot (change detector): user data and the host's bundle decoded, one file line per snapshot line", () => {
    // The provider block carries no machine-specific data; the whole document is stable.
    expect(readableSynth(stack, { stackDir })).toMatchSnapshot();
  });

  test("the rendered files next to cdk.tf.json are the files of the host's bundle (plus the host programs it installs)", () => {
    const [bundle] = Object.values(readableSynth(stack, { stackDir }).bundles);
    const rendered = Object.fromEntries(
      Object.keys(files)
        .filter((f) => f.startsWith("mail-platform/acme-mail/mx1/"))
        .map((f) => [f.slice("mail-platform/acme-mail/mx1".length), files[f]]),
    );
    const bundled = Object.fromEntries(Object.entries(bundle!.files).map(([key, content]) => [key.replace(/ \(\d+\)$/, ""), content]));
    // The bundle also ships the on-host users sync and blocklist watch (programs and units), the
    // host's AWS client and the content filter's unit drop-ins: part of the rollout, not rendered configuration.
    const program = Object.fromEntries(rolloutFiles(examplePlan(), examplePlan().hosts[0]!).map((f) => [f.path, f.content]));
    expect(bundled).toEqual({ ...rendered, ...program });
  });
});
