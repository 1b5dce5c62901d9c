/**
 * Logins only on the listeners of the user's own group. Found live: any mailbox could log in on
 * any group's address (a business user on the private group's IMAP, POP3 and, through Dovecot's
 * SASL, its 587 and 465). Dovecot knows the address a client connected to (IMAP/POP3 logins, and
 * Postfix sends it with every SASL request as `lip`), so a second passdb checks it: after the
 * password passdb has succeeded, the login must also be listed in the file of the local address,
 * one secret-free passwd-file per group address (the group's mailboxes). A login that is not
 * listed there, or whose file is missing, fails like a wrong password. passdb `allow_nets` cannot
 * do this: it checks the remote address only.
 */
import type { HostPlan, Plan } from "../../plan/types";
import { homeAddresses, homeMailboxes } from "../../plan/host-scope";
import { generatedHeader } from "../header";
import type { RenderedFile } from "../rendered-file";
import type { HostPaths } from "../host-paths";
import { mailboxLine } from "./mailboxes-file";
import { block, setting, trusted, type DovecotNode } from "./conf-format";

/** Directory of the per-address files below the host root. */
export const GROUP_LOGINS_DIR = "etc/dovecot/logins";

/** The files: one per home address of the host, named by its private address, listing the group's mailboxes. */
export function renderGroupLogins(plan: Plan, host: HostPlan): RenderedFile[] {
  const mailboxes = homeMailboxes(plan, host);
  return homeAddresses(host).map((address) => {
    // `nopassword`: this passdb only says where the login belongs; the password was checked by the first.
    const lines = mailboxes.filter((m) => m.group === address.group).map((m) => mailboxLine(m.address, ["nopassword"]));
    return {
      path: `${GROUP_LOGINS_DIR}/${address.privateIp}`,
      content: `${[generatedHeader(plan.spec.name, host.name), `# Logins of group ${address.group} on ${address.hostName} (${address.privateIp}).`, ...lines].join("\n")}\n`,
      mode: "0644",
    };
  });
}

const PASSWORD_PASSDB_RESULTS = [
  setting("result_success", "continue-ok", "A right password goes on to the group check below."),
  setting("result_failure", "return-fail", "A wrong password or unknown login ends here."),
  setting("result_internalfail", "return-fail"),
];

const GROUP_PASSDB_WHY =
  "Logins only on the user's own group's addresses: the login must be listed in the file of the address the client connected to (IMAP, POP3 and Postfix's SASL all pass it); otherwise the login fails like a wrong password.";

const GROUP_PASSDB_RESULTS = [setting("result_success", "return-ok"), setting("result_failure", "return-fail"), setting("result_internalfail", "return-fail")];

/** Dovecot 2.3: the password passdb's result settings and the group passdb (`%l` is the local address). */
export function groupLoginPassdb23(paths: HostPaths): { passwordResults: DovecotNode[]; groupPassdb: DovecotNode } {
  return {
    passwordResults: PASSWORD_PASSDB_RESULTS,
    groupPassdb: block(
      "passdb",
      undefined,
      [setting("driver", "passwd-file"), trusted("args", `${paths.dovecotLogins}/%l`), ...GROUP_PASSDB_RESULTS],
      GROUP_PASSDB_WHY,
    ),
  };
}

/** Dovecot 2.4: the same, as a named passdb (`%{local_ip}`). */
export function groupLoginPassdb24(paths: HostPaths): { passwordResults: DovecotNode[]; groupPassdb: DovecotNode } {
  return {
    passwordResults: PASSWORD_PASSDB_RESULTS,
    groupPassdb: block(
      "passdb",
      "group-logins",
      [setting("driver", "passwd-file"), trusted("passwd_file_path", `${paths.dovecotLogins}/%{local_ip}`), ...GROUP_PASSDB_RESULTS],
      GROUP_PASSDB_WHY,
    ),
  };
}
