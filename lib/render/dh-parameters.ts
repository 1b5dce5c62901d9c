/**
 * The Diffie-Hellman parameters file of a host: RFC 7919's ffdhe2048, for the DHE suites of the
 * TLS profiles (TLS 1.2 and below). Postfix (smtpd_tls_dh1024_param_file), Dovecot (ssl_dh /
 * ssl_server_dh_file) and nginx (ssl_dhparam) read the same file; without it Postfix would use
 * its compiled-in prime or OpenSSL's RFC 3526 group, and Dovecot Debian's RFC 3526 4096-bit file.
 */
import { when } from "../plan/when";
import { FFDHE2048_PEM } from "../tls/ffdhe2048";
import { generatedHeader } from "./header";
import type { HostPlan, Plan } from "../plan/types";
import type { RenderedFile } from "./rendered-file";

/** Where the file goes (HostPaths.dhParameters names it on the host). */
export const DH_PARAMETERS_FILE = "etc/mail-platform/ffdhe2048.pem";

/** Whether any profile of the platform has DHE suites (then the programs are given the parameters). */
export function platformUsesDhe(plan: Plan): boolean {
  return plan.mxTls.usesDhe || plan.clientTls.usesDhe;
}

/**
 * The parameters file, when a profile has DHE suites. The header comment comes first like in every
 * rendered file: OpenSSL's PEM reader (used by all three programs) skips text before "-----BEGIN".
 */
export function renderDhParameters(plan: Plan, host: HostPlan): RenderedFile[] {
  return when<RenderedFile>(platformUsesDhe(plan), {
    path: DH_PARAMETERS_FILE,
    content: `${generatedHeader(plan.spec.name, host.name)}\n# RFC 7919 ffdhe2048, public parameters for DHE suites (no secret).\n${FFDHE2048_PEM}`,
    mode: "0644",
  });
}
