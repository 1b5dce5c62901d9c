/**
 * The deployment part of the model: DNS zones and AWS placement. The mail policy (schema.ts)
 * never depends on it; the constructs read it, the CLI validates it.
 */
import { z } from "zod";
import { acknowledgement, acmeDirectoryUrl, dnsName, identifier, plainEmailAddress } from "./syntax";

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
    /**
     * The zone is DNSSEC-signed: TLSA (DANE) records are published for the host names in it that
     * have a `tlsaSpkiSha256` pin. Without DNSSEC a TLSA record is worthless, so none is published.
     * @default false
     */
    dnssec: z.boolean().default(false).describe("The zone is DNSSEC-signed (TLSA records are published). Default: false."),
  })
  .describe("A DNS zone that holds the platform's records.")
  .meta({ title: "DnsZoneInput" });

/** A report address (`mailto:` is added). */
const reportAddress = z.email({ error: "expected an e-mail address for reports" });

/** DMARC for every group domain. */
export const DmarcSchema = z
  .strictObject({
    /** What receivers do with mail that fails DMARC. @default "quarantine" */
    policy: z.enum(["quarantine", "reject"]).default("quarantine").describe("quarantine or reject. Default: quarantine."),
    /** Addresses for aggregate reports (`rua`). @default [] - no reports */
    aggregateReports: z.array(reportAddress).max(5).default([]).describe("Addresses for aggregate reports (rua). Default: none."),
  })
  .describe("DMARC for every group domain.")
  .meta({ title: "DmarcInput" });

/** MTA-STS (RFC 8461) for every group domain. */
export const MtaStsSchema = z
  .strictObject({
    /** `testing` reports failures only; `enforce` makes senders refuse mail without valid TLS. @default "testing" */
    mode: z.enum(["testing", "enforce"]).default("testing").describe("testing or enforce. Default: testing."),
    /** How long senders cache the policy, in seconds (1 day to 1 year). @default 604800 (one week) */
    maxAgeSeconds: z.int().min(86_400).max(31_557_600).default(604_800).describe("Policy cache lifetime in seconds. Default: 604800."),
  })
  .describe("MTA-STS for every group domain.")
  .meta({ title: "MtaStsInput" });

/**
 * Client autoconfiguration: Thunderbird's autoconfig (`https://autoconfig.<domain>/mail/config-v1.1.xml`)
 * and Outlook's autodiscover (`https://autodiscover.<domain>/autodiscover/autodiscover.xml`), served by
 * the hosts' nginx for every group domain with the same host names, ports and TLS modes as the SRV records.
 */
export const ClientAutoconfigSchema = z
  .strictObject({
    /**
     * The provider name mail clients show (Thunderbird's `displayName`); plain text, escaped in the XML.
     * @default - the domain name
     */
    displayName: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, { error: "expected plain text without control characters" })
      .refine((v) => v.trim() === v, { error: "expected no leading or trailing blanks" })
      .optional()
      .describe("The provider name mail clients show. Default: the domain name."),
  })
  .describe("Client autoconfiguration (Thunderbird autoconfig, Outlook autodiscover) for every group domain.")
  .meta({ title: "ClientAutoconfigInput" });

/** A CardDAV/CalDAV server for client discovery (RFC 6764). */
export const DavSchema = z
  .strictObject({
    /** Host name of the DAV server. */
    hostName: dnsName("the DAV server's host name").describe("Host name of the DAV server."),
    /** HTTPS port. @default 443 */
    port: z.int().min(1).max(65535).default(443).describe("HTTPS port. Default: 443."),
  })
  .describe("A CardDAV/CalDAV server for client discovery.")
  .meta({ title: "DavInput" });

/** DNS settings. */
export const DnsSchema = z
  .strictObject({
    /**
     * The zones. Every group domain and every address host name must lie in one of them; a
     * name in several belongs to the longest (most specific) zone.
     */
    zones: z.array(DnsZoneSchema).min(1).describe("The zones; every domain and host name must lie in one of them."),
    /** TTL of address records (A, and TLSA), in seconds: short, so that renumbering is quick. @default 300 */
    addressTtlSeconds: z.int().min(60).max(86_400).default(300).describe("TTL of A/TLSA records in seconds, 60..86400. Default: 300."),
    /** TTL of every other record, in seconds. @default 3600 */
    recordTtlSeconds: z.int().min(60).max(604_800).default(3600).describe("TTL of MX/SRV/TXT records in seconds, 60..604800. Default: 3600."),
    /** DMARC record of every group domain. @default p=quarantine, no reports */
    dmarc: DmarcSchema.prefault({}).describe("DMARC for every group domain. Default: p=quarantine."),
    /**
     * Addresses for SMTP TLS reports (RFC 8460, `_smtp._tls`).
     * @default [] - no TLS-RPT record
     */
    tlsReports: z.array(reportAddress).max(5).default([]).describe("Addresses for SMTP TLS reports (TLS-RPT). Default: none."),
    /** MTA-STS policy, served over HTTPS by the hosts at `mta-sts.<domain>`. @default - none */
    mtaSts: MtaStsSchema.optional().describe("MTA-STS policy served at https://mta-sts.<domain>. Default: none."),
    /**
     * Client autoconfiguration at `autoconfig.<domain>` and `autodiscover.<domain>` of every group domain
     * (A records, certificates, nginx on port 443). Off unless set: it opens port 443 and adds
     * certificate names, which an upgrade must not do on its own.
     * @default - none (not served)
     */
    clientAutoconfig: ClientAutoconfigSchema.optional().describe(
      "Client autoconfiguration (Thunderbird autoconfig, Outlook autodiscover) at autoconfig.<domain> and autodiscover.<domain>. Default: none.",
    ),
    /** CardDAV/CalDAV discovery. @default - none (`_carddavs`/`_caldavs` not published) */
    dav: DavSchema.optional().describe("CardDAV/CalDAV server for discovery. Default: none."),
  })
  .describe("DNS settings.")
  .meta({ title: "DnsInput" });

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
    /**
     * Size of the encrypted mail data volume (queue and mailboxes) in GiB. It is a separate EBS
     * volume: replacing the instance keeps it.
     * @default 20
     */
    dataVolumeGiB: z.int().min(1).max(16384).default(20).describe("Size of the encrypted mail data volume in GiB, 1..16384. Default: 20."),
  })
  .describe("Where and how one host runs on AWS.")
  .meta({ title: "AwsHostInput" });

/** Protection of the mail data volumes. */
export const DataVolumesSchema = z
  .strictObject({
    /**
     * Refuse to destroy a data volume (Terraform `prevent_destroy`): mail is other people's
     * property. Set to false only for throw-away platforms.
     * @default true
     */
    preventDestroy: z.boolean().default(true).describe("Refuse to destroy a data volume (prevent_destroy). Default: true."),
    /**
     * Scheduled snapshots of every data volume (Data Lifecycle Manager).
     * @default - no snapshots
     */
    snapshots: z
      .strictObject({
        /** Hours between snapshots. @default 24 */
        everyHours: z
          .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(6), z.literal(8), z.literal(12), z.literal(24)])
          .default(24)
          .describe("Hours between snapshots: 1, 2, 3, 4, 6, 8, 12 or 24. Default: 24."),
        /** Snapshots kept per volume. @default 7 */
        keep: z.int().min(1).max(1000).default(7).describe("Snapshots kept per volume, 1..1000. Default: 7."),
      })
      .optional()
      .describe("Scheduled snapshots of every data volume. Default: none."),
  })
  .describe("Protection of the mail data volumes.")
  .meta({ title: "DataVolumesInput" });

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
  .describe("An existing Elastic IP adopted for one group address.")
  .meta({ title: "AdoptedElasticIpInput" });

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
    /**
     * Written reason for opening SSH (22), HTTP (80) or RDP (3389) to anywhere (0.0.0.0/0);
     * required for exactly that, reported at every synth.
     * @default - none
     */
    acknowledgement: acknowledgement.optional().describe("Written reason for opening 22/80/3389 to anywhere. Default: none."),
  })
  .describe("Extra ingress opened on purpose.")
  .meta({ title: "ExtraIngressInput" });

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
    acmeEmail: plainEmailAddress("an e-mail address for the ACME account").optional().describe("E-mail of the ACME account. Default: none."),
    /**
     * ACME directory URL.
     * @default "https://acme-v02.api.letsencrypt.org/directory"
     */
    acmeServer: acmeDirectoryUrl.default("https://acme-v02.api.letsencrypt.org/directory").describe("ACME directory URL. Default: Let's Encrypt production."),
    /**
     * Name of the S3 bucket that holds the configuration bundles (globally unique).
     * @default - `<name>-config-<vpcId>`
     */
    configBucket: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, { error: "expected an S3 bucket name: 3-63 lowercase letters, digits and inner hyphens" })
      .optional()
      .describe("S3 bucket for the configuration bundles. Default: <name>-config-<vpcId>."),
    /** Protection and snapshots of the mail data volumes. @default protected, no snapshots */
    dataVolumes: DataVolumesSchema.prefault({}).describe("Protection and snapshots of the mail data volumes."),
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
  .describe("AWS placement of the platform.")
  .meta({ title: "AwsInput" });

/** The validated DNS settings. */
export type DnsSpec = z.output<typeof DnsSchema>;
/** The validated AWS placement. */
export type AwsSpec = z.output<typeof AwsSchema>;
/** The validated placement of one host. */
export type AwsHostSpec = AwsSpec["hosts"][string];
