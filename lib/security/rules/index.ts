/** Every rule of the pack, in a fixed order. */
import type { SecurityRule } from "../rule";
import { dovecotTlsBeforeLogin } from "./dovecot-tls-before-login";
import { imdsv2Required } from "./imdsv2-required";
import { ingressOnlyEnabledServices } from "./ingress-only-enabled-services";
import { instanceProfileAttached } from "./instance-profile-attached";
import { noAdminIngressFromAnywhere } from "./no-admin-ingress-from-anywhere";
import { noAllPortsToAnywhere } from "./no-all-ports-to-anywhere";
import { noSecretsInUserData } from "./no-secrets-in-user-data";
import { postfixCompatibilityLevel } from "./postfix-compatibility-level";
import { postfixLoopbackMynetworks } from "./postfix-loopback-mynetworks";
import { postfixRelayRestricted } from "./postfix-relay-restricted";
import { postfixSubmissionTlsRequired } from "./postfix-submission-tls-required";
import { postfixTlsAuthOnly } from "./postfix-tls-auth-only";
import { securityGroupsDescribed } from "./security-groups-described";
import { volumesEncrypted } from "./volumes-encrypted";

/** The rule pack. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  imdsv2Required,
  volumesEncrypted,
  securityGroupsDescribed,
  noAdminIngressFromAnywhere,
  noAllPortsToAnywhere,
  ingressOnlyEnabledServices,
  instanceProfileAttached,
  noSecretsInUserData,
  postfixCompatibilityLevel,
  postfixLoopbackMynetworks,
  postfixTlsAuthOnly,
  postfixRelayRestricted,
  postfixSubmissionTlsRequired,
  dovecotTlsBeforeLogin,
];
