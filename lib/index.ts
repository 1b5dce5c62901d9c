/**
 * cdktf-mail-platform: model a self-hosted mail platform once, render its Postfix and
 * Dovecot configuration (and, through the constructs, its cloud resources) from it.
 */
export * from "./model/schema";
export { PlatformValidationError, formatIssues, type PlatformIssue } from "./model/issues";
export { validatePlatform, parsePlatform, type ValidationResult } from "./validation/validate";
export { loadPlatformText, validatePlatformText } from "./validation/load";
export { platformJsonSchemaText } from "./model/json-schema";
export * from "./tls/profiles";
export { analyseCipherString, type CipherStringFindings } from "./tls/cipher-string";
export { plan, transportName } from "./plan/plan";
export * from "./plan/types";
export { SERVICES, serviceInfo, type ServiceInfo, type TlsMode } from "./catalogue/services";
export { DAEMONS, type DaemonFacts, type DaemonInfo, type DaemonName } from "./plan/daemons";
export type { DkimKeySpec } from "./model/group-dkim-key";
export { DELIVERY_LIMITS, type DeliveryLimits } from "./plan/delivery-priority";
export { renderHost, renderPlatform, type HostFiles } from "./render/host-files";
export { writeHostFiles } from "./render/write-files";
export type { RenderedFile } from "./render/rendered-file";
export * from "./model/deployment-schema";
export { dnsRecords, recordKey } from "./plan/dns-records";
export { SRV_NOT_AVAILABLE, type DnsRecord, type DnsValue, type DnsValuePart, type PublicIpRef } from "./catalogue/dns-record-types";
export { renderCloudConfig, encodeUserData, hostPackages, USER_DATA_LIMIT_BYTES, UserDataTooLargeError } from "./rollout/bootstrap/user-data";
export * from "./constructs";
export { MailSecurityChecks, type Finding, type MailSecurityChecksOptions } from "./security/aspect";
export { acknowledgeFinding, type Acknowledgement } from "./security/acknowledge";
export { SECURITY_RULES } from "./security/rules";
export type { SecurityRule, RuleResult } from "./security/rule";
export * from "./testing";
export { UserError, isUserError, type UserErrorOptions } from "./errors";
export { UnsafeValueError } from "./render/rendered-file";
export type { ValidationOptions } from "./model/deployable";
export { HOST_OS, type HostOs } from "./catalogue/host-os";
export type { DnsRecordType } from "./catalogue/dns-record-types";
export type { HostPaths } from "./render/host-paths";
export type { SetupInputs } from "./rollout/bootstrap/setup-script";
export { BUNDLE_FORMAT, type Bundle, type BundleFile } from "./rollout/bundle";
