/**
 * A stand-in for the Amazon SSM agent package. The real agent is not available here (it is not in
 * Debian and this machine reaches no AWS bucket), so the rehearsal serves this package at the
 * agent's real download URL. It is labelled as a stand-in everywhere it shows (package
 * description, version, the program's log line): it installs and runs as a service like the agent,
 * which is what the host's first boot depends on; it does not talk to Systems Manager — the
 * rehearsal runs the rollout association's command itself.
 */
import { execFileSync } from "child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";

/** The version string of the stand-in package (never a real agent version). */
export const STAND_IN_VERSION = "0.0.0~mail-platform-rehearsal-stand-in";

/** Build the stand-in .deb for an architecture (`amd64`, `arm64`); returns its bytes. */
export function buildSsmAgentStandIn(dir: string, architecture: string): Buffer {
  const root = join(dir, "amazon-ssm-agent-stand-in");
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, "DEBIAN"), { recursive: true });
  mkdirSync(join(root, "usr/bin"), { recursive: true });
  mkdirSync(join(root, "lib/systemd/system"), { recursive: true });
  writeFileSync(
    join(root, "DEBIAN/control"),
    [
      "Package: amazon-ssm-agent",
      `Version: ${STAND_IN_VERSION}`,
      `Architecture: ${architecture}`,
      "Maintainer: mail-platform rehearsal <rehearsal@invalid>",
      "Description: STAND-IN for the Amazon SSM agent (mail-platform deploy rehearsal)",
      " Not the Amazon SSM agent: installs and runs as a service under the agent's name",
      " so a rehearsed first boot can install it; it never contacts Systems Manager.",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(root, "usr/bin/amazon-ssm-agent"),
    "#!/bin/sh\necho 'amazon-ssm-agent STAND-IN (mail-platform rehearsal): not the real agent; no Systems Manager connection'\nexec sleep infinity\n",
  );
  chmodSync(join(root, "usr/bin/amazon-ssm-agent"), 0o755);
  writeFileSync(
    join(root, "lib/systemd/system/amazon-ssm-agent.service"),
    "[Unit]\nDescription=amazon-ssm-agent STAND-IN (mail-platform rehearsal)\nAfter=network-online.target\n\n[Service]\nExecStart=/usr/bin/amazon-ssm-agent\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n",
  );
  const deb = join(dir, `amazon-ssm-agent-stand-in_${architecture}.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "--build", root, deb], { stdio: ["ignore", "ignore", "pipe"] });
  return readFileSync(deb);
}
