/** The metadata of a test instance for the IMDS stand-in: the example's host in eu-central-1, overridable field by field. */
import type { InstanceMetadata } from "../../lib/rehearsal/aws/imds";

/** A test instance's metadata: host mx1 of acme-mail unless `overrides` say otherwise. */
export function testInstanceMetadata(overrides: Partial<InstanceMetadata> = {}): InstanceMetadata {
  const host = "mx1";
  return {
    accountId: "123456789012",
    instanceId: "i-0123456789abcdef0",
    instanceType: "t3.small",
    amiId: "ami-0123456789abcdef0",
    region: "eu-central-1",
    availabilityZone: "eu-central-1a",
    privateIp: "10.0.1.11",
    roleName: `acme-mail-${host}`,
    instanceProfileArn: `arn:aws:iam::123456789012:instance-profile/acme-mail-${host}`,
    instanceProfileId: "AIPAEXAMPLEEXAMPLE01",
    userData: "#cloud-config\n",
    launchedAt: new Date("2026-12-01T10:00:00Z"),
    ...overrides,
  };
}
