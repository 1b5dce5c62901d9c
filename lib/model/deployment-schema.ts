/**
 * The deployment part of the model: DNS zones and AWS placement. The mail policy (schema.ts)
 * never depends on it; the constructs read it, the CLI validates it.
 */
import { z } from "zod";
import { dnsName, identifier } from "./syntax";

/** A DNS zone that holds the platform's records. */
export const DnsZoneSchema = z
  .strictObject({
    /** The zone apex, e.g. `acme-corp.example`. */
    name: dnsName("a DNS zone name").describe("The zone apex, e.g. acme-corp.example."),
    /**
     * Id of an existing Route53 hosted zone for this name.
     * @default - a new hosted zone is created (delegate it at the registrar)
     */
    route53ZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, { error: "expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
      .optional()
      .describe("Id of an existing Route53 hosted zone. Default: a new hosted zone is created."),
  })
  .describe("A DNS zone that holds the platform's records.");

/** DNS settings. */
export const DnsSchema = z
  .strictObject({
    /**
     * The zones. Every group domain and every address host name must lie in one of them; a
     * name in several belongs to the longest (most specific) zone.
     */
    zones: z.array(DnsZoneSchema).min(1).describe("The zones; every domain and host name must lie in one of them."),
  })
  .describe("DNS settings.");

/** Where and how one host runs on AWS. */
export const AwsHostSchema = z
  .strictObject({
    /** Subnet of the host's network interface; every group address of the host must lie in it. */
    subnetId: z
      .string()
      .regex(/^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, { error: "expected a subnet id such as subnet-0123456789abcdef0" })
      .describe("Subnet of the host's network interface."),
    /** EC2 instance type. @default "t3.small" */
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: "expected an EC2 instance type such as t3.small" })
      .default("t3.small")
      .describe("EC2 instance type. Default: t3.small."),
    /** CPU architecture; must match the instance type (Graviton types are arm64). @default "x86_64" */
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64").describe("CPU architecture. Default: x86_64."),
    /**
     * A fixed AMI id.
     * @default - the newest Debian 12 AMI published by Debian (account 136693071363); later AMI
     * releases do not replace a running host
     */
    amiId: z
      .string()
      .regex(/^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, { error: "expected an AMI id such as ami-0123456789abcdef0" })
      .optional()
      .describe("A fixed AMI id. Default: the newest Debian 12 AMI by account 136693071363."),
    /** Size of the encrypted root volume in GiB. @default 20 */
    rootVolumeGiB: z.int().min(8).max(16384).default(20).describe("Size of the encrypted root volume in GiB, 8..16384. Default: 20."),
  })
  .describe("Where and how one host runs on AWS.");

/** An existing Elastic IP adopted for one group address (mail reputation lives on the IP). */
export const AdoptedElasticIpSchema = z
  .strictObject({
    /** The host of the address. */
    host: identifier("a host name identifier", 24).describe("The host of the address."),
    /** The group of the address. */
    group: identifier("a group identifier", 20).describe("The group of the address."),
    /** The allocation id of the existing Elastic IP. */
    allocationId: z
      .string()
      .regex(/^eipalloc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, { error: "expected an allocation id such as eipalloc-0123456789abcdef0" })
      .describe("The allocation id of the existing Elastic IP."),
  })
  .describe("An existing Elastic IP adopted for one group address.");

/** Extra ingress the operator opens on purpose (e.g. SSH from an admin network). */
export const ExtraIngressSchema = z
  .strictObject({
    /** TCP port. */
    port: z.int().min(1).max(65535).describe("TCP port."),
    /** Source network in CIDR form; host bits must be zero. */
    cidr: z
      .string()
      .regex(/^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/, {
        error: "expected an IPv4 network such as 198.51.100.0/24",
      })
      .describe("Source network in CIDR form."),
    /** Why it is open (the rule's description). */
    description: z
      .string()
      .regex(/^[A-Za-z0-9 ._:/()#,@+=&;!*-]{1,255}$/, { error: "expected up to 255 characters of letters, digits, blanks and ._:/()#,@+=&;!*-" })
      .describe("Why it is open; the rule's description."),
  })
  .describe("Extra ingress opened on purpose.");

/** AWS placement of the platform. */
export const AwsSchema = z
  .strictObject({
    /** The VPC of the hosts. */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, { error: "expected a VPC id such as vpc-0123456789abcdef0" })
      .describe("The VPC of the hosts."),
    /** Placement of each host, keyed by host name (every host needs one). */
    hosts: z.record(identifier("a host name identifier", 24), AwsHostSchema).describe("Placement of each host, keyed by host name."),
    /** Existing Elastic IPs to adopt. @default [] - a new Elastic IP per group address */
    adoptElasticIps: z.array(AdoptedElasticIpSchema).default([]).describe("Existing Elastic IPs to adopt. Default: new ones."),
    /**
     * E-mail address for the ACME (Let's Encrypt) account: expiry warnings go there.
     * @default - the account is registered without an e-mail address
     */
    acmeEmail: z.email({ error: "expected an e-mail address" }).optional().describe("E-mail of the ACME account. Default: none."),
    /**
     * ACME directory URL.
     * @default "https://acme-v02.api.letsencrypt.org/directory"
     */
    acmeServer: z
      .url({ protocol: /^https$/, error: "expected an https URL" })
      .default("https://acme-v02.api.letsencrypt.org/directory")
      .describe("ACME directory URL. Default: Let's Encrypt production."),
    /** Extra ingress rules (nothing but the mail services is open otherwise). @default [] */
    extraIngress: z.array(ExtraIngressSchema).default([]).describe("Extra ingress rules. Default: none."),
    /** Tags on every resource that supports them. @default {} */
    tags: z
      .record(
        z.string().regex(/^[\w .:/=+@-]{1,128}$/, { error: "expected a tag key of up to 128 allowed characters" }),
        z.string().regex(/^[\w .:/=+@-]{0,256}$/, { error: "expected a tag value of up to 256 allowed characters" }),
      )
      .default({})
      .describe("Tags on every resource. Default: none."),
  })
  .describe("AWS placement of the platform.");

/** The validated DNS settings. */
export type DnsSpec = z.output<typeof DnsSchema>;
/** The validated AWS placement. */
export type AwsSpec = z.output<typeof AwsSchema>;
/** The validated placement of one host. */
export type AwsHostSpec = AwsSpec["hosts"][string];
