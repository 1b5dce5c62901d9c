/**
 * `mail-platform local up`: run one host of a platform on this machine with the real
 * Postfix, Dovecot and named, on loopback addresses, with a throwaway CA and one test user.
 * With `join`, another host of the same platform next to a running instance, sharing its
 * loopback block, DNS server, test CA, DKIM keys and passwords (join.ts).
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
import type { HostPlan, Plan } from "../plan/types";
import { DEFAULT_LOOPBACK_BLOCK, OUTSIDE_DOMAIN, loopbackPlan, stateLayout, type StateLayout } from "./conventions";
import { localZones, writeDnsServer } from "./dns-server";
import { LocalInstanceError } from "./instance-error";
import { checkSameZones, joinTarget, registerJoined, shareDkimKeys, sharePasswordStore, type JoinedInstance } from "./join";
import { localBundle, runApply } from "./local-bundle";
import { localHostPaths, writeNginxMainConf } from "./overlay";
import { checkPrerequisites, checkTraversable, onThisMachine } from "./preflight";
import { choosePorts, requireFree } from "./ports";
import { addLoopbackAddress, run, startDaemon, waitListening } from "./programs";
import { DEFAULT_STATE_DIR, type LocalInstanceInfo, type LocalState } from "./state";
import { runningPids, stopAll } from "./stop";
import { account, ownedDirectory, removeLoopbackAddress } from "./system";
import { issueTestCertificates, testAuthority } from "./test-ca";
import { installTestDkimKeys } from "./test-keys";
import { storeHashes, writeDovecotUsers } from "./password-store";
import { localTestSpec, testMailboxAddress } from "./test-spec";
import { hashPassword, usersFileHashes } from "./users-file";
import { localSrsAddress, postsrsdStartCommand, writeLocalSrsSecret } from "./postsrsd";
import { POSTSRSD_TCP } from "../render/postsrsd/postsrsd";
import { RSPAMD_FORK_TIMEOUT_MS, prepareRspamdDirectories, redisStartCommand, rspamdLayout, rspamdListeners, rspamdStartCommand } from "./rspamd";
import { HOST_CHANNEL_PORT } from "../plan/plan";

/** Options of {@link localUp}. */
export interface LocalUpOptions {
  /** Host to run. @default - the first host; with `join`, the first host that runs in no instance of the platform */
  readonly host?: string;
  /** State directory. @default {@link DEFAULT_STATE_DIR} */
  readonly stateDir?: string;
  /** Loopback block (`127.X.Y`). @default "127.0.10"; with `join`, the joined instance's */
  readonly loopbackBlock?: string;
  /**
   * State directory of a running instance of the same platform: run another host next to it,
   * with its loopback block, DNS server, test CA, test DKIM keys, ports and passwords.
   * @default - a platform of its own (own DNS server and CA)
   */
  readonly join?: string;
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
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const joining =
    options.join === undefined
      ? undefined
      : joinTarget(spec, {
          join: options.join,
          stateDir,
          ...(options.host === undefined ? {} : { host: options.host }),
          ...(options.loopbackBlock === undefined ? {} : { loopbackBlock: options.loopbackBlock }),
        });
  const joined: JoinedInstance | undefined = joining?.joined;
  const hostName = joining?.hostName ?? options.host ?? spec.hosts[0]!.name;
  if (!spec.hosts.some((h) => h.name === hostName)) {
    throw new LocalInstanceError(`no host "${hostName}" in the platform; hosts: ${spec.hosts.map((h) => h.name).join(", ")}`);
  }
  checkTraversable(stateDir);
  const layout = stateLayout(stateDir);
  if (existsSync(layout.stateFile) && runningPids(layout).length > 0) {
    throw new LocalInstanceError(`an instance is already running in ${stateDir}; stop it with: mail-platform local down --state-dir ${stateDir}`);
  }
  const loopback = loopbackPlan(joined?.state.loopbackBlock ?? options.loopbackBlock ?? DEFAULT_LOOPBACK_BLOCK);
  // Before anything is changed on disk: a bad users file leaves a running instance alone.
  const declaredHashes = options.usersFile === undefined ? new Map<string, string>() : usersFileHashes(spec, options.usersFile);
  // Likewise a joined instance that runs another model, or ports of the platform taken here.
  if (joined) await checkJoinable(joined, spec, hostName, layout);

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
    ownedDirectory(layout.opendkim, 0o755);
    ownedDirectory(layout.opendkimRun, 0o755, "opendkim");
    if (joined) {
      log(`using the test DKIM keys of ${joined.layout.stateDir}`);
      ownedDirectory(join(layout.opendkim, "keys"), 0o700, "opendkim");
      dkimPublicKeys = shareDkimKeys(joined, production, layout, account("opendkim"));
    } else {
      log("generating test DKIM keys");
      dkimPublicKeys = installTestDkimKeys(spec, paths, account("opendkim"));
    }
    // The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
    ownedDirectory(join(layout.spool, "opendkim"), 0o2750, "opendkim", "postfix");
  }
  const testSpec = localTestSpec(spec, loopback, layout.certs, dkimPublicKeys);
  const ports = joined
    ? joined.state.ports
    : await choosePorts(
        testSpec,
        hostOf(derivePlan(testSpec), hostName).addresses.map((a) => a.privateIp),
        [HOST_CHANNEL_PORT],
      );
  const plan = derivePlan(testSpec, { listenPorts: ports });
  const host = hostOf(plan, hostName);

  log(joined ? `issuing test certificates with the test CA of ${joined.layout.stateDir}` : "issuing test certificates");
  const outsideNames = [OUTSIDE_DOMAIN, ...spec.outbound.tlsRules.map((r) => r.destination)].map((d) => `mx.${d}`);
  const caFile = issueTestCertificates(
    layout.certs,
    [...certificateNames(plan.spec, host.name), ...outsideNames],
    joined ? testAuthority(joined.layout.certs) : undefined,
  );

  log("rendering, applying the test overlay, installing with the apply script");
  const installed = runApply(layout, localBundle(plan, host, layout), { noReload: true });
  if (installed.status !== 0) throw new LocalInstanceError(`the apply script refused the configuration:\n${installed.log.trim()}`);

  // The test overlay's users: the test mailbox with a fresh password (or the joined instance's
  // passwords, the test mailbox's among them), and the users file's.
  const userName = testMailboxAddress(spec);
  // Hex (144 bits): a password that begins with "-" is read as an option by command-line mail
  // clients such as swaks, where the user pastes it.
  const password = joined ? joined.state.user.password : randomBytes(18).toString("hex");
  if (joined) sharePasswordStore(joined, layout);
  storeHashes(layout, new Map([...declaredHashes, ...(joined ? [] : [[userName, hashPassword(password)] as const])]));
  writeDovecotUsers(layout, plan, host);

  // A daemon that fails to start takes down those started before it: a failed `up` writes no
  // state file, so nothing would stop them later (a redis kept its port after rspamd failed).
  try {
    if (joined) {
      registerJoined(joined, stateDir);
    } else {
      log("starting named");
      const namedConf = writeDnsServer(layout, loopback, localZones(plan, loopback));
      // named binds only addresses that exist on an interface (Postfix and Dovecot bind any of 127/8).
      addLoopbackAddress(loopback.dns);
      startDaemon("named", ["-c", namedConf], layout.namedLog);
      await waitListening([[loopback.dns, 53]], layout);
    }

    if (production.dkim.signs) {
      log("starting opendkim");
      startDaemon("opendkim", ["-x", join(layout.opendkim, "opendkim.conf")], layout.postfixLog);
    }

    if (plan.srs.enabled) {
      log("starting postsrsd");
      writeLocalSrsSecret(layout);
      const [program, ...args] = postsrsdStartCommand(host, layout);
      startDaemon(program!, args, layout.postfixLog);
      await waitListening([[localSrsAddress(host), POSTSRSD_TCP.forwardPort]], layout);
    }

    if (plan.contentFilter.enabled) {
      log("starting redis and rspamd");
      prepareRspamdDirectories(layout);
      const [redis, ...redisArgs] = redisStartCommand(host, layout);
      startDaemon(redis!, redisArgs, rspamdLayout(layout).redisLog);
      const [rspamd, ...rspamdArgs] = rspamdStartCommand(layout);
      // rspamd forks only after loading its configuration; without the shared hyperscan cache that
      // compiles the TLD list first, which took over 60 s on two cores shared with a test run's start.
      startDaemon(rspamd!, rspamdArgs, rspamdLayout(layout).log, undefined, RSPAMD_FORK_TIMEOUT_MS);
      await waitListening(rspamdListeners(host), layout);
    }

    log("starting postfix");
    run("/usr/lib/postfix/configure-instance.sh", ["-"], { MAIL_CONFIG: layout.postfixConfig });
    // The chrooted daemons (smtpd, smtp, dnsblog) resolve through the platform's DNS server only.
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

    // The listeners, the host-to-host channel, and nginx's 443 on every home address when it runs.
    await waitListening(host.expectedListeners, layout);
  } catch (error) {
    await stopAll(layout);
    // The DNS address of a joined instance belongs to the instance it joined.
    if (!joined) removeLoopbackAddress(loopback.dns);
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
    ...(joined ? { joined: joined.layout.stateDir } : {}),
  };
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  log("up");
  return info;
}

function hostOf(plan: Plan, name: string): HostPlan {
  return plan.hosts.find((h) => h.name === name)!;
}

/**
 * Before a joining instance touches its state directory: the joined instance's DNS serves this
 * model on this block, and the platform's ports (and the channel's) are free on this host's addresses.
 */
async function checkJoinable(joined: JoinedInstance, spec: PlatformSpec, hostName: string, layout: StateLayout): Promise<void> {
  const loopback = loopbackPlan(joined.state.loopbackBlock);
  const plan = derivePlan(localTestSpec(spec, loopback, layout.certs, new Map(Object.entries(joined.state.dkimPublicKeys))), {
    listenPorts: joined.state.ports,
  });
  checkSameZones(joined, plan, loopback);
  const host = hostOf(plan, hostName);
  await requireFree(
    host.expectedListeners,
    `host ${hostName} joins with the ports of ${joined.layout.stateDir}; is it running already, or is another program using them?`,
  );
}
