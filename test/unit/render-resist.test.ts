/**
 * The rendered defences of issue 13, item 7 (proven live in test/integration/live/resist.test.ts):
 * submission limits, port 25's HELO checks, logins only on the user's own group, and reply texts
 * that name nothing internal.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { fileText, renderExample } from "../support/example";
import { SUBMISSION_LIMITS } from "../../lib/render/postfix/submission-limits";
import { OWN_HELO_REJECT } from "../../lib/render/postfix/helo-checks";

const INTERNAL = /\/(etc|var|run|tmp|usr)\/|private\/|unix:|\.sock/;

describe.each(["debian-12", "debian-13"] as const)("%s", (os) => {
  const hosts = renderExample((input: PlatformInput) => {
    input.os = os;
  });
  const mainCf = fileText(hosts, "etc/postfix/main.cf");
  const masterCf = fileText(hosts, "etc/postfix/master.cf");
  const dovecot = fileText(hosts, "etc/dovecot/dovecot.conf");

  test("every submission listener has 100 processes and takes its limits from the mua_* parameters", () => {
    const entries = masterCf.split(/\n(?=\S)/).filter((e) => /^10\.0\.1\.1\d:(587|465) /.test(e));
    expect(entries).toHaveLength(4);
    for (const entry of entries) {
      expect(entry.split("\n")[0]).toMatch(/ 100 +smtpd$/);
      expect(entry).toContain("-o smtpd_client_connection_count_limit=$mua_client_connection_count_limit");
      expect(entry).toContain("-o smtpd_starttls_timeout=$mua_starttls_timeout");
      expect(entry).toContain("-o smtpd_helo_restrictions=\n");
    }
    expect(mainCf).toContain(`mua_client_connection_count_limit = ${SUBMISSION_LIMITS.connectionsPerClient}\n`);
    expect(mainCf).toContain("mua_client_event_limit_exceptions =\n");
    expect(mainCf).toContain("mua_starttls_timeout = ${stress?{3}:{5}}s\n");
  });

  test("port 25 refuses the platform's own names and addresses from anyone but the platform", () => {
    expect(mainCf).toMatch(
      /^smtpd_helo_restrictions = permit_mynetworks, check_client_access texthash:\$config_directory\/platform_clients, reject_invalid_helo_hostname, /m,
    );
    const names = fileText(hosts, "etc/postfix/own_helo_names");
    for (const key of ["mail.acme-corp.example", "mail.acme-home.example", "10.0.1.11", "[10.0.1.12]"]) {
      expect(names).toMatch(new RegExp(`^${key.replace(/[.[\]]/g, "\\$&")} +${OWN_HELO_REJECT}$`, "m"));
    }
    expect(fileText(hosts, "etc/postfix/platform_clients")).toMatch(/^10\.0\.1\.12 OK$/m);
  });

  test("a second passdb checks the login against the file of the local address; each group's file lists its own mailboxes only", () => {
    expect(dovecot).toContain("result_success = continue-ok\n");
    expect(dovecot).toContain(os === "debian-12" ? "args = /etc/dovecot/logins/%l\n" : "passwd_file_path = /etc/dovecot/logins/%{local_ip}\n");
    const business = fileText(hosts, "etc/dovecot/logins/10.0.1.11");
    const privateGroup = fileText(hosts, "etc/dovecot/logins/10.0.1.12");
    expect(business).toContain("alice@acme-corp.example:::::::nopassword\n");
    expect(business).not.toContain("acme-home.example:");
    expect(privateGroup).toContain("family@acme-home.example:::::::nopassword\n");
    expect(privateGroup).not.toContain("acme-corp.example:");
  });

  test("the reject texts the platform writes (HELO, quota) name nothing internal", () => {
    expect(OWN_HELO_REJECT).not.toMatch(INTERNAL);
    const quota = renderExample((input: PlatformInput) => {
      input.os = os;
      input.mailbox = { ...input.mailbox, defaultQuotaMb: 100 };
    });
    const reply = /^ *quota_status_overquota = "?([^"\n]*)"?$/m.exec(fileText(quota, "etc/dovecot/dovecot.conf"))?.[1];
    expect(reply).toBe("452 4.2.2 Mailbox is full");
  });
});
