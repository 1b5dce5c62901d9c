/**
 * `mail-platform local up`: run one host of a platform on this machine with the real
 * Postfix, Dovecot and named, on loopback addresses, with a throwaway CA and one test user.
 * Needs root (ports below 1024, Postfix's chroot) and Debian's packages.
 */
import { randomBytes } from "crypto";
import { existsSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { certificateNames } from "../model/certificate-names";
import type { PlatformSpec } from "../model/schema";
import { plan as derivePlan } from "../plan/plan";
import { renderHost } from "../render/host-files";
import { writeHostFiles } from "../render/write-files";
import { DEFAULT_LOOPBACK_BLOCK, OUTSIDE_DOMAIN, loopbackPlan, stateLayout } from "./conventions";
import { localZones, writeDnsServer } from "./dns-server";
import { LocalInstanceError } from "./instance-error";
import { localBundle, runApply } from "./local-bundle";
import { localHostPaths, writeNginxMainConf } from "./overlay";
import { checkPrerequisites, checkTraversable, onThisMachine } from "./preflight";
import { choosePorts } from "./ports";
import { addLoopbackAddress, run, startDaemon, waitListening } from "./programs";
import { DEFAULT_STATE_DIR, type LocalInstanceInfo, type LocalState } from "./state";
import { runningPids, stopAll } from "./stop";
import { account, ownedDirectory, removeLoopbackAddress } from "./system";
import { issueTestCertificates } from "./test-ca";
import { installTestDkimKeys } from "./test-keys";
import { storeHashes, writeDovecotUsers } from "./password-store";
import { localTestSpec, testMailboxAddress } from "./test-spec";
import { hashPassword, usersFileHashes } from "./users-file";
import { localSrsAddress, postsrsdStartCommand, writeLocalSrsSecret } from "./postsrsd";
import { POSTSRSD_TCP } from "../render/postsrsd/postsrsd";

/** Options of {@link localUp}. */
export interface LocalUpOptions {
  /** Host to run. @default - the first host */
  readonly host?: string;
  /** State directory. @default {@link DEFAULT_STATE_DIR} */
  readonly stateDir?: string;
  /** Loopback block (`127.X.Y`). @default "127.0.10" */
  readonly loopbackBlock?: string;
  /**
   * A users file: passwords for the model's mailboxes, one `address:password` or
   * `address:{SCHEME}hash` line each (see users-file.ts). @default - only the test mailbox has a password
   */
  readonly usersFile?: string;
  /** Progress messages. @default - none */
  readonly log?: (line: string) => void;
}

/** Start one host of the platform on this machine. */
export async function localUp(model: PlatformSpec, options: LocalUpOptions = {}): Promise<LocalInstanceInfo> {
  const log = options.log ?? (() => undefined);
  const spec = onThisMachine(model);
  checkPrerequisites(spec);
  const hostName = options.host ?? spec.hosts[0]!.name;
  if (!spec.hosts.some((h) => h.name === hostName)) {
    throw new LocalInstanceError(`no host "${hostName}" in the platform; hosts: ${spec.hosts.map((h) => h.name).join(", ")}`);
  }
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  checkTraversable(stateDir);
  const layout = stateLayout(stateDir);
  if (existsSync(layout.stateFile) && runningPids(layout).length > 0) {
    throw new LocalInstanceError(`an instance is already running in ${stateDir}; stop it with: mail-platform local down --state-dir ${stateDir}`);
  }
  const loopback = loopbackPlan(options.loopbackBlock ?? DEFAULT_LOOPBACK_BLOCK);
  // Before anything is changed on disk: a bad users file leaves a running instance alone.
  const declaredHashes = options.usersFile === undefined ? new Map<string, string>() : usersFileHashes(spec, options.usersFile);

  log(`preparing ${stateDir}`);
  rmSync(stateDir, { recursive: true, force: true });
  ownedDirectory(stateDir, 0o755);
  for (const dir of [layout.logs, layout.spool, layout.postfixConfig, layout.dovecotConfig, layout.dovecotState]) ownedDirectory(dir, 0o755);
  ownedDirectory(layout.data, 0o700, "postfix");
  ownedDirectory(layout.mail, 0o770, "nobody", "nogroup");

  // Production rendering of the host, kept for comparison with what runs.
  const production = derivePlan(spec);
  writeHostFiles(layout.production, [
    renderHost(
      production,
      production.hosts.find((h) => h.name === hostName)!,
    ),
  ]);

  const paths = localHostPaths(layout);
  let dkimPublicKeys = new Map<string, string>();
  if (production.dkim.signs) {
    log("generating test DKIM keys");
    ownedDirectory(layout.opendkim, 0o755);
    ownedDirectory(layout.opendkimRun, 0o755, "opendkim");
    dkimPublicKeys = installTestDkimKeys(spec, paths, account("opendkim"));
    // The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
    ownedDirectory(join(layout.spool, "opendkim"), 0o2750, "opendkim", "postfix");
  }
  const testSpec = localTestSpec(spec, loopback, layout.certs, dkimPublicKeys);
  const probePlan = derivePlan(testSpec);
  const probeHost = probePlan.hosts.find((h) => h.name === hostName)!;
  const ports = await choosePorts(
    testSpec,
    probeHost.addresses.map((a) => a.privateIp),
  );
  const plan = derivePlan(testSpec, { listenPorts: ports });
  const host = plan.hosts.find((h) => h.name === hostName)!;

  log("issuing test certificates");
  const outsideNames = [OUTSIDE_DOMAIN, ...spec.outbound.tlsRules.map((r) => r.destination)].map((d) => `mx.${d}`);
  const caFile = issueTestCertificates(layout.certs, [...certificateNames(plan.spec, host.name), ...outsideNames]);

  log("rendering, applying the test overlay, installing with the apply script");
  const installed = runApply(layout, localBundle(plan, host, layout), { noReload: true });
  if (installed.status !== 0) throw new LocalInstanceError(`the apply script refused the configuration:\n${installed.log.trim()}`);

  // The test overlay's users: the test mailbox with a fresh password, and the users file's.
  const userName = testMailboxAddress(spec);
  const password = randomBytes(18).toString("base64url");
  storeHashes(layout, new Map([...declaredHashes, [userName, hashPassword(password)]]));
  writeDovecotUsers(layout, plan);

  log("starting named");
  const namedConf = writeDnsServer(layout, loopback, localZones(plan, loopback));
  // named binds only addresses that exist on an interface (Postfix and Dovecot bind any of 127/8).
  addLoopbackAddress(loopback.dns);
  startDaemon("named", ["-c", namedConf], layout.namedLog);
  await waitListening([[loopback.dns, 53]], layout);

  if (production.dkim.signs) {
    log("starting opendkim");
    startDaemon("opendkim", ["-x", join(layout.opendkim, "opendkim.conf")], layout.postfixLog);
  }

  if (plan.srs.enabled) {
    log("starting postsrsd");
    writeLocalSrsSecret(layout);
    const [program, ...args] = postsrsdStartCommand(plan, layout);
    startDaemon(program!, args, layout.postfixLog);
    await waitListening([[localSrsAddress(plan), POSTSRSD_TCP.forwardPort]], layout);
  }

  log("starting postfix");
  run("/usr/lib/postfix/configure-instance.sh", ["-"], { MAIL_CONFIG: layout.postfixConfig });
  // The chrooted daemons (smtpd, smtp, dnsblog) resolve through the instance's DNS only.
  writeFileSync(join(layout.spool, "etc", "resolv.conf"), `nameserver ${loopback.dns}\n`);
  run("postfix", ["-c", layout.postfixConfig, "check"]);
  startDaemon("postfix", ["-c", layout.postfixConfig, "start"], layout.postfixLog);

  log("starting dovecot");
  startDaemon("dovecot", ["-c", layout.dovecotConf], layout.dovecotLog);

  const nginx = plan.daemons.some((d) => d.name === "nginx");
  if (nginx) {
    log("starting nginx (MTA-STS policies, client autoconfiguration)");
    const conf = writeNginxMainConf(layout);
    run("nginx", ["-t", "-q", "-c", conf]);
    startDaemon("nginx", ["-c", conf], join(layout.logs, "nginx-error.log"));
  }

  // The listeners, and nginx's 443 on every group address when it runs.
  const targets = host.expectedListeners;
  try {
    await waitListening(targets, layout);
  } catch (error) {
    await stopAll(layout);
    removeLoopbackAddress(loopback.dns);
    throw error;
  }

  const info: LocalInstanceInfo = {
    addresses: Object.fromEntries(host.addresses.map((a) => [a.group, a.privateIp])),
    ports,
    caFile,
    user: { name: userName, password },
    stateDir,
  };
  const state: LocalState = {
    ...info,
    dkimPublicKeys: Object.fromEntries(dkimPublicKeys),
    platform: spec.name,
    host: hostName,
    loopbackBlock: loopback.block,
    dnsServer: loopback.dns,
    outside: loopback.outside,
  };
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  log("up");
  return info;
}
