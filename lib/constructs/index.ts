/** The constructs: the only part of the library that imports cdktf and the AWS provider. */
export { MailPlatform, PORT_25_NOTE, type MailPlatformProps } from "./mail-platform";
export { MailHost, DEBIAN_AMI_OWNER, type MailHostProps, type GroupAddressResources } from "./mail-host";
export { MailFirewall, egressRules, type MailFirewallProps, type EgressRule } from "./mail-firewall";
export { MailZones, type MailZonesProps } from "./mail-zones";
export { MailDns, type MailDnsProps, type PublicAddress } from "./mail-dns";
export { HostRole, acmeDnsPolicy, SSM_POLICY_ARN, type HostRoleProps } from "./host-role";
export { RENDERED_FILES_DIR } from "./rendered-files-output";
export { MailConfigStore, type MailConfigStoreProps } from "./mail-config-store";
export { MailDataVolume, type MailDataVolumeProps } from "./mail-data-volume";
export { DataSnapshots, type DataSnapshotsProps } from "./data-snapshots";
export { BlocklistAlerts, blocklistMetricsPolicy, type BlocklistAlertsProps, type WatchedPublicAddress } from "./blocklist-alerts";
