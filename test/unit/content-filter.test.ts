/**
 * The content filter as modelled and rendered: defaults, validation (thresholds in order, ClamAV on
 * too small an instance type), rspamd's files, the milters of Postfix, packages and bundle checks.
 * That rspamd accepts the files is test/integration/rspamd-config.test.ts; that it filters,
 * test/integration/live/content-filter.test.ts.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { instanceMemoryGiB } from "../../lib/model/instance-memory";
import { ANTIVIRUS_MIN_MEMORY_GIB } from "../../lib/model/content-filter-checks";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { REDIS_CONF, RSPAMD_CONF_LOCAL, RSPAMD_LOCAL_DIR, RSPAMD_LOCAL_LUA, TEXT_NOT_ANALYSED_SYMBOL } from "../../lib/render/rspamd/rspamd";
import { hostPackages } from "../../lib/rollout/bootstrap/packages";
import { productionBundle } from "../../lib/rollout/production-bundle";
import { renderSetupScript } from "../../lib/rollout/bootstrap/setup-script";
import { RSPAMD_WARMUP_UNIT } from "../../lib/rollout/bootstrap/rspamd-warmup";
import { HOST_OS_FACTS } from "../../lib/catalogue/host-os";
import { exampleProblems, exampleSpec, firstHostFiles, mainCfSettings, masterCfEntries } from "../support/example";
import { tableRows } from "../support/files";
import { addSecondHost } from "../support/variants";

const files = firstHostFiles;
const problems = exampleProblems;

describe("the model", () => {
  test("on by default: reject at 15, header at 6, no greylisting, hold outbound at 10, no ClamAV", () => {
    expect(exampleSpec().contentFilter).toEqual({
      enabled: true,
      inbound: { rejectScore: 15, addHeaderScore: 6, greylistScore: false },
      outbound: { holdScore: 10 },
      antivirus: false,
      textAnalysisMaxBytes: 524_288,
    });
    expect(exampleSpec().groups[0]!.contentFilter).toBeUndefined();
  });

  test("fails on a group's add-header score at or above its reject score, at the group's field", () => {
    const found = problems((i) => (i.groups[1]!.contentFilter = { addHeaderScore: 15 }));
    expect(found).toEqual([
      {
        path: "groups[1].contentFilter.addHeaderScore",
        received: "15",
        message: "expected below the reject score 15 in effect for group private: mail at or above the reject score is refused, so it would never be marked",
      },
    ]);
  });

  test("fails on a platform greylist score at or above the add-header score once, at the platform's field", () => {
    const found = problems((i) => (i.contentFilter = { inbound: { greylistScore: 6 } }));
    expect(found.map((p) => [p.path, p.received])).toEqual([["contentFilter.inbound.greylistScore", "6"]]);
    expect(found[0]!.message).toMatch(/^expected below the add-header score 6 in effect for group business \(or false\)/);
  });

  test("fails on scores out of range and unknown fields, every problem at once", () => {
    const found = problems((i) => {
      i.contentFilter = { inbound: { rejectScore: 0 }, outbound: { holdScore: 5000 } };
      (i.groups[0]!.contentFilter as Record<string, unknown>) = { greylist: 3 };
    });
    expect(found.map((p) => p.path).sort()).toEqual([
      "contentFilter.inbound.rejectScore",
      "contentFilter.outbound.holdScore",
      "groups[0].contentFilter.greylist",
    ]);
  });

  test("fails on a text analysis limit that is not a whole number of bytes in range, or true, saying what is allowed", () => {
    for (const bad of [1000, 65_535.5, 2 ** 31, true, "512k"]) {
      const found = problems((i) => ((i.contentFilter as Record<string, unknown>) = { textAnalysisMaxBytes: bad }));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ path: "contentFilter.textAnalysisMaxBytes", received: JSON.stringify(bad) });
    }
    expect(problems((i) => (i.contentFilter = { textAnalysisMaxBytes: false }))).toEqual([]);
    expect(problems((i) => (i.contentFilter = { textAnalysisMaxBytes: 65_536 }))).toEqual([]);
  });

  test(`fails on ClamAV where an instance type has less than ${ANTIVIRUS_MIN_MEMORY_GIB} GiB, naming the host and type`, () => {
    const found = problems((i) => (i.contentFilter = { antivirus: true }));
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe("contentFilter.antivirus");
    expect(found[0]!.message).toContain("too small: mx1 (t3.small, 2 GiB)");
    expect(
      problems((i) => {
        i.contentFilter = { antivirus: true };
        i.aws!.hosts.mx1!.instanceType = "t3.medium";
      }),
    ).toEqual([]);
  });

  test("fails on ClamAV with the filter off", () => {
    const found = problems((i) => {
      i.contentFilter = { enabled: false, antivirus: true };
      i.aws!.hosts.mx1!.instanceType = "m6i.large";
    });
    expect(found.map((p) => p.path)).toEqual(["contentFilter.antivirus"]);
  });

  test("instance memory: the burstable sizes, m/c/r by vCPU, unknown types not judged", () => {
    expect(["t3.micro", "t3.small", "t4g.medium", "m6i.large", "c6g.medium", "c7i.2xlarge", "r7g.large"].map(instanceMemoryGiB)).toEqual([
      1, 2, 4, 8, 2, 16, 16,
    ]);
    expect(instanceMemoryGiB("x2iedn.xlarge")).toBeUndefined();
    expect(instanceMemoryGiB("m6i.metal")).toBeUndefined();
  });
});

describe("rspamd's files", () => {
  test("two milters on Unix sockets in Postfix's chroot: one for port 25, one for submission, which quarantines what it would reject", () => {
    const rendered = files();
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/worker-proxy.inc`)).toMatch(/^bind_socket = "\/var\/spool\/postfix\/rspamd\/inbound\.sock mode=0660";$/m);
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/worker-proxy.inc`)).toMatch(/^quarantine_on_reject = false;$/m);
    const submission = rendered.get(RSPAMD_CONF_LOCAL)!;
    expect(submission).toMatch(/^ {2}bind_socket = "\/var\/spool\/postfix\/rspamd\/submission\.sock mode=0660";$/m);
    expect(submission).toMatch(/^ {2}quarantine_on_reject = true;$/m);
    // The first boot makes the sockets' directory, after the data volume holds the queue.
    const script = (change?: (i: PlatformInput) => void) => {
      const p = plan(exampleSpec(change));
      return renderSetupScript(p, p.hosts[0]!, p.spec.aws!, {
        bundleUrl: "s3://b/bundles/mx1/x.json",
        dataVolumeName: "acme-mail-mx1",
        dataVolumeTag: "mail-platform-data",
      });
    };
    const made = /^install -d -o _rspamd -g postfix -m 2750 \/var\/spool\/postfix\/rspamd$/m;
    expect(script()).toMatch(made);
    expect(script().search(made)).toBeGreaterThan(script().indexOf("onto_data_volume /var/spool/postfix postfix-spool"));
    expect(script((i) => (i.contentFilter = { enabled: false }))).not.toMatch(made);
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/options.inc`)).toContain('dns { nameserver = ["127.0.0.1"];');
  });

  test("the first boot compiles rspamd's TLD list from right after the packages until just before the services start; not without the filter", () => {
    const script = (change?: (i: PlatformInput) => void) => {
      const p = plan(exampleSpec(change));
      return renderSetupScript(p, p.hosts[0]!, p.spec.aws!, { bundleUrl: "s3://b/bundles/mx1/x.json", dataVolumeName: "acme-mail-mx1", dataVolumeTag: "t" });
    };
    for (const os of ["debian-12", "debian-13"] as const) {
      const text = script((i) => (i.os = os));
      const started = text.indexOf(`systemd-run -q --collect -u ${RSPAMD_WARMUP_UNIT} -p User=_rspamd`);
      const stopped = text.indexOf(`systemctl stop ${RSPAMD_WARMUP_UNIT}`);
      expect(started).toBeGreaterThan(text.indexOf("--force-confold install "));
      expect(started).toBeLessThan(text.indexOf('step "data volume"'));
      expect(stopped).toBeGreaterThan(text.indexOf('step "services"'));
      expect(stopped).toBeLessThan(text.search(/^systemctl restart .*rspamd/m));
      expect(text).toContain(`url_tld="${HOST_OS_FACTS[os].rspamdTldList}";`);
    }
    expect(script((i) => (i.contentFilter = { enabled: false }))).not.toContain(RSPAMD_WARMUP_UNIT);
  });

  test("settings: each group's thresholds by its listeners' host names, submitted mail by ORIGINATING", () => {
    const settings = files((i) => (i.groups[1]!.contentFilter = { rejectScore: 9, addHeaderScore: 5, greylistScore: 3 })).get(
      `${RSPAMD_LOCAL_DIR}/settings.conf`,
    )!;
    expect(settings).toContain('request_header = { "MTA-Name" = "^ORIGINATING$"; }');
    const noGreylisting = 'symbols_disabled = ["GREYLIST_CHECK", "GREYLIST_SAVE"];';
    expect(settings).toContain(`apply { actions { reject = 10; add_header = null; greylist = null; rewrite_subject = null; } ${noGreylisting} }`);
    expect(settings).toContain('request_header = { "MTA-Name" = "^(?:mail[.]acme-corp[.]example)$"; }');
    expect(settings).toContain(`apply { actions { reject = 15; add_header = 6; greylist = null; rewrite_subject = null; } ${noGreylisting} }`);
    expect(settings).toContain('request_header = { "MTA-Name" = "^(?:mail[.]acme-home[.]example)$"; }');
    expect(settings).toContain("apply { actions { reject = 9; add_header = 5; greylist = 3; rewrite_subject = null; } }");
  });

  test("greylisting: a group's own score needs the action in actions.conf, which groups without it turn off", () => {
    const actions = (change?: (i: PlatformInput) => void) => files(change).get(`${RSPAMD_LOCAL_DIR}/actions.conf`)!;
    expect(actions()).toMatch(/^greylist = null;$/m);
    expect(actions((i) => (i.groups[1]!.contentFilter = { greylistScore: 3 }))).toMatch(/^greylist = 3;$/m);
    expect(actions((i) => (i.contentFilter = { inbound: { greylistScore: 4 } }))).toMatch(/^greylist = 4;$/m);
  });

  test("nothing phones home: rspamd.com's fuzzy servers, maps and lookups are off, the mail-provider maps local", () => {
    const rendered = files();
    for (const module of ["fuzzy_check", "phishing", "whitelist", "rbl", "asn", "mid", "dkim_signing"]) {
      expect(rendered.get(`${RSPAMD_LOCAL_DIR}/${module}.conf`)).toMatch(/^enabled = false;$/m);
    }
    const multimap = rendered.get(`${RSPAMD_LOCAL_DIR}/multimap.conf`)!;
    expect(multimap.match(/map = "\$LOCAL_CONFDIR\/local\.d\/maps\/mail-providers\.map";/g)).toHaveLength(12);
    expect([...rendered.values()].join("\n")).not.toMatch(/https?:\/\//);
  });

  test("DMARC policies are carried out; Authentication-Results on inbound mail only", () => {
    const rendered = files();
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/dmarc.conf`)).toContain('actions { reject = "reject"; quarantine = "add_header"; }');
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/milter_headers.conf`)).toMatch(/^skip_authenticated = true;$/m);
  });

  test("redis on loopback, memory-capped, protected", () => {
    const redis = files().get(REDIS_CONF)!;
    expect(redis).toMatch(/^bind 127\.0\.0\.1$/m);
    expect(redis).toMatch(/^protected-mode yes$/m);
    expect(redis).toMatch(/^maxmemory 256mb$/m);
    expect(redis).toMatch(/^maxmemory-policy volatile-lru$/m);
  });

  test("ClamAV's module only with antivirus", () => {
    expect(files().has(`${RSPAMD_LOCAL_DIR}/antivirus.conf`)).toBe(false);
    const rendered = files((i) => {
      i.contentFilter = { antivirus: true };
      i.aws!.hosts.mx1!.instanceType = "t3.large";
    });
    expect(rendered.get(`${RSPAMD_LOCAL_DIR}/antivirus.conf`)).toContain('servers = "/run/clamav/clamd.ctl";');
  });

  test("text analysis: a connection-stage rule skips it above the limit (512 KiB by default), with a zero-weight symbol and a log line; none with false", () => {
    const lua = files().get(RSPAMD_LOCAL_LUA)!;
    expect(lua.startsWith('-- Generated by cdktf-mail-platform from platform "acme-mail"')).toBe(true);
    expect(lua).toContain("local MAX_BYTES = 524288\n");
    expect(lua).toContain('type = "connfilter",');
    expect(lua).toContain("score = 0.0,");
    expect(lua).toContain('task:set_flag("skip_process")');
    expect(lua).toContain(`task:insert_result("${TEXT_NOT_ANALYSED_SYMBOL}", 1.0, tostring(size))`);
    // A size rspamd does not know is analysed in full.
    expect(lua).toContain("if size and size > MAX_BYTES then");
    expect(files((i) => (i.contentFilter = { textAnalysisMaxBytes: 100_000 })).get(RSPAMD_LOCAL_LUA)).toContain("local MAX_BYTES = 100000\n");
    expect(files((i) => (i.contentFilter = { textAnalysisMaxBytes: false })).has(RSPAMD_LOCAL_LUA)).toBe(false);
  });

  test("off: no rspamd or redis file, no milter of theirs", () => {
    const rendered = files((i) => (i.contentFilter = { enabled: false }));
    expect([...rendered.keys()].filter((p) => p.startsWith("etc/rspamd") || p.startsWith("etc/redis"))).toEqual([]);
    expect(mainCfSettings(rendered.get("etc/postfix/main.cf")!).get("smtpd_milters")).toBe("unix:opendkim/opendkim.sock");
    expect(rendered.get("etc/postfix/master.cf")).not.toContain("rspamd");
  });
});

describe("Postfix", () => {
  test("port 25: rspamd alone, loopback clients OpenDKIM then rspamd; submission: rspamd's submission milter, then OpenDKIM signs; the channel: none", () => {
    const rendered = files(addSecondHost);
    const main = mainCfSettings(rendered.get("etc/postfix/main.cf")!);
    expect(main.get("smtpd_milters")).toBe("unix:rspamd/inbound.sock");
    expect(main.get("smtpd_milter_maps")).toBe("cidr:$config_directory/loopback_milters.cidr");
    expect(tableRows(rendered.get("etc/postfix/loopback_milters.cidr")!)).toEqual([
      ["127.0.0.1/32", "unix:opendkim/opendkim.sock,unix:rspamd/inbound.sock"],
      ["::1/128", "unix:opendkim/opendkim.sock,unix:rspamd/inbound.sock"],
    ]);
    // The same hosts OpenDKIM signs for: no other client's mail reaches it on port 25.
    expect(
      rendered
        .get("etc/opendkim/trusted.hosts")!
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#")),
    ).toEqual(["127.0.0.1", "::1"]);
    expect(rendered.get("etc/opendkim.conf")).toMatch(/^Mode s$/m);
    expect(main.get("non_smtpd_milters")).toBe("unix:opendkim/opendkim.sock");
    const entries = masterCfEntries(rendered.get("etc/postfix/master.cf")!);
    const submission = entries.filter((e) => /:(587|465)$/.test(e.service));
    expect(submission.length).toBeGreaterThan(0);
    for (const entry of submission) {
      expect(entry.options.get("smtpd_milters")).toBe("unix:rspamd/submission.sock,unix:opendkim/opendkim.sock");
      // A user on loopback keeps the submission milters.
      expect(entry.options.get("smtpd_milter_maps")).toBe("");
      expect(entry.options.get("milter_macro_daemon_name")).toBe("ORIGINATING");
    }
    const channel = entries.find((e) => e.service.endsWith(":10025"));
    expect(channel?.options.get("smtpd_milters")).toBe("");
    expect(channel?.options.get("smtpd_milter_maps")).toBe("");
    // The backup MX's Authentication-Results survive the channel.
    expect(channel?.options.get("receive_override_options")).toBe("no_header_body_checks");
  });

  test("Authentication-Results from outside are removed by header_checks before any milter, attached messages untouched", () => {
    const rendered = files();
    const main = mainCfSettings(rendered.get("etc/postfix/main.cf")!);
    expect(main.get("header_checks")).toBe("pcre:$config_directory/inbound_header_checks.pcre");
    expect(main.get("nested_header_checks")).toBe("");
    expect(main.get("mime_header_checks")).toBe("");
    expect(tableRows(rendered.get("etc/postfix/inbound_header_checks.pcre")!)).toEqual([["/^Authentication-Results:/", "IGNORE"]]);
  });

  test("without the content filter OpenDKIM verifies on port 25 as before: no loopback map, no header checks, Mode sv", () => {
    const rendered = files((i) => (i.contentFilter = { enabled: false }));
    const main = mainCfSettings(rendered.get("etc/postfix/main.cf")!);
    expect(main.get("smtpd_milters")).toBe("unix:opendkim/opendkim.sock");
    expect(main.has("smtpd_milter_maps")).toBe(false);
    expect(main.has("header_checks")).toBe(false);
    expect(rendered.has("etc/postfix/loopback_milters.cidr")).toBe(false);
    expect(rendered.has("etc/postfix/inbound_header_checks.pcre")).toBe(false);
    expect(rendered.get("etc/opendkim.conf")).toMatch(/^Mode sv$/m);
    expect(rendered.get("etc/postfix/master.cf")).not.toContain("smtpd_milter_maps");
  });

  test("packages and the bundle's check", () => {
    const p = plan(exampleSpec());
    const host = p.hosts[0]!;
    expect(hostPackages(p, host)).toEqual(expect.arrayContaining(["rspamd", "redis-server"]));
    expect(hostPackages(p, host)).not.toContain("clamav-daemon");
    const bundle = productionBundle(p, host, renderHost(p, host));
    expect(bundle.validate).toContainEqual(["rspamadm", "--var=LOCAL_CONFDIR={stage}/etc/rspamd", "configtest", "-c", "/etc/rspamd/rspamd.conf"]);
    expect(bundle.reload).toContainEqual(["systemctl", "try-restart", "redis-server"]);
    expect(bundle.reload).toContainEqual(["systemctl", "reload", "rspamd"]);
  });
});
