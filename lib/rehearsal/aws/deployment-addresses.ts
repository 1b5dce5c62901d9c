/**
 * The host's network interface and the Elastic IPs associated to its addresses, as EC2 would
 * hold them after `terraform apply`: the ENI (made-up id and MAC) with its private addresses,
 * each EIP (created by the stack, or adopted by allocation id) with a made-up public address,
 * and each `aws_eip_association` resolved to the private address it binds. The public addresses
 * come from TEST-NET-3 (203.0.113.0/24, RFC 5737): documentation addresses no packet of the
 * rehearsal is ever sent to; they only have to be known to the instance metadata and to the
 * world's DNS (a blocklist lists them).
 */
import { fakeAllocationId, fakeMacAddress, fakeNetworkInterfaceId } from "./fake-ids";
import { literalString, soleReference, type Evaluate, type ResourceBody, type TerraformDocument } from "./terraform-document";
import { createHash } from "crypto";

/** An Elastic IP associated to one private address of the interface. */
export interface DeployedElasticIp {
  readonly allocationId: string;
  readonly publicIp: string;
  /** The private address it is associated with (NAT: traffic to the public one arrives here). */
  readonly privateIp: string;
}

/** The instance's (primary) network interface. */
export interface DeployedNetworkInterface {
  readonly id: string;
  /** Lowercase, colon-separated, as the instance metadata lists it. */
  readonly mac: string;
  /** Primary first. */
  readonly privateIps: readonly string[];
  readonly elasticIps: readonly DeployedElasticIp[];
}

/** The made-up identifiers of a document's interfaces and Elastic IPs, for resolving references. */
export interface AddressIds {
  /** `aws_network_interface` logical name → ENI id. */
  readonly interfaces: ReadonlyMap<string, string>;
  /** `aws_eip` logical name → allocation id. */
  readonly eips: ReadonlyMap<string, string>;
  /** `data.aws_eip` logical name → allocation id (the adopted allocation's own id). */
  readonly adopted: ReadonlyMap<string, string>;
  /** Allocation id → the public address the world gave it. */
  readonly publicIps: ReadonlyMap<string, string>;
}

const PUBLIC_PREFIX = "203.0.113.";

/**
 * Public addresses for allocations, one each, derived from the allocation id (so the same stack
 * always gets the same addresses) and made distinct within the document by taking the next free
 * one on a clash, in sorted order (independent of the document's order).
 */
function publicAddresses(allocationIds: readonly string[]): Map<string, string> {
  const taken = new Set<number>();
  const result = new Map<string, string>();
  for (const id of [...new Set(allocationIds)].sort()) {
    if (taken.size >= 254) throw new Error("more than 254 Elastic IPs: TEST-NET-3 has no room for them");
    let host = (createHash("sha256").update(`public-ip\u0000${id}`).digest().readUInt16BE(0) % 254) + 1;
    while (taken.has(host)) host = (host % 254) + 1;
    taken.add(host);
    result.set(id, `${PUBLIC_PREFIX}${host}`);
  }
  return result;
}

const nameTag = (body: ResourceBody, fallback: string) => (body.tags as Record<string, string> | undefined)?.Name ?? fallback;

/** The made-up ids of every ENI and EIP of the document, and the public address of every allocation it names. */
export function readAddressIds(doc: TerraformDocument): AddressIds {
  const interfaces = new Map(doc.all("aws_network_interface").map(([n, b]) => [n, fakeNetworkInterfaceId(nameTag(b, n))]));
  // Created EIPs are seeded by their logical name: several may share a Name tag across stacks.
  const eips = new Map(doc.all("aws_eip").map(([n, b]) => [n, fakeAllocationId(`${nameTag(b, "")}/${n}`)]));
  const adopted = new Map(doc.allData("aws_eip").map(([n, b]) => [n, literalString(b.id, `data.aws_eip.${n}.id`)]));
  // An association may also name an allocation by its literal id (an adopted EIP without a data source).
  const literal = doc
    .all("aws_eip_association")
    .flatMap(([, b]) => (typeof b.allocation_id === "string" && !b.allocation_id.includes("${") ? [b.allocation_id] : []));
  const publicIps = publicAddresses([...eips.values(), ...adopted.values(), ...literal]);
  return { interfaces, eips, adopted, publicIps };
}

/**
 * The instance's interface: the ENI its `primary_network_interface` names (or, for an instance
 * with a plain `private_ip`, the interface EC2 makes for it), and the EIP associations that name
 * that interface or the instance (an association by instance binds the primary address).
 */
export function readNetworkInterface(
  doc: TerraformDocument,
  ids: AddressIds,
  instance: { readonly logical: string; readonly id: string; readonly name: string; readonly privateIp: string; readonly body: ResourceBody },
  evaluate: Evaluate,
): DeployedNetworkInterface {
  const eni = soleReference((instance.body.primary_network_interface as Record<string, unknown> | undefined)?.network_interface_id);
  const eniName = eni?.type === "aws_network_interface" ? eni.name : undefined;
  const id = eniName === undefined ? fakeNetworkInterfaceId(`${instance.name}/eth0`) : ids.interfaces.get(eniName)!;
  const listed =
    eniName === undefined ? undefined : (doc.get("aws_network_interface", eniName).private_ip_list ?? doc.get("aws_network_interface", eniName).private_ips);
  const privateIps = Array.isArray(listed)
    ? listed.map((ip, i) => literalString(ip, `aws_network_interface.${eniName}.private_ip_list[${i}]`))
    : [instance.privateIp];
  const elasticIps = doc.all("aws_eip_association").flatMap(([logical, body]): DeployedElasticIp[] => {
    const where = `aws_eip_association.${logical}`;
    const target =
      body.network_interface_id !== undefined
        ? evaluate(body.network_interface_id, `${where}.network_interface_id`)
        : body.instance_id !== undefined
          ? evaluate(body.instance_id, `${where}.instance_id`)
          : undefined;
    if (target !== id && target !== instance.id) return [];
    const allocationId = evaluate(body.allocation_id, `${where}.allocation_id`);
    const publicIp = ids.publicIps.get(allocationId);
    if (publicIp === undefined) throw new Error(`${where}: allocation ${allocationId} is no Elastic IP of the stack`);
    const privateIp = body.private_ip_address === undefined ? privateIps[0]! : evaluate(body.private_ip_address, `${where}.private_ip_address`);
    if (!privateIps.includes(privateIp)) throw new Error(`${where}: ${privateIp} is not an address of the interface ${id} (${privateIps.join(", ")})`);
    return [{ allocationId, publicIp, privateIp }];
  });
  const twice = elasticIps.find((e, i) => elasticIps.findIndex((f) => f.privateIp === e.privateIp) !== i);
  if (twice) throw new Error(`two Elastic IPs are associated with ${twice.privateIp}; EC2 keeps one association per private address`);
  return { id, mac: fakeMacAddress(id), privateIps, elasticIps };
}
