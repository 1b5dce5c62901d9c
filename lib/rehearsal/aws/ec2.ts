/**
 * EC2 stand-in (query API, version 2016-11-15, XML responses): DescribeVolumes over the
 * deployment's volumes — the root volume and the attached data volume — with `VolumeId.N` and
 * `Filter.N.Name` / `Filter.N.Value.M` filters (values with `*`/`?` wildcards, as EC2 allows).
 * Describe actions have no resource-level permissions, so IAM sees resource `*`, as in AWS.
 * Any other action is answered with EC2's `InvalidAction` and logged.
 */
import type { DeployedVolume } from "./deployment";
import { formParameters, headerOf, isoSeconds, xmlEscape, type AwsReply, type AwsRequest } from "./http-exchange";
import { serve, type ServiceCall, type ServiceDialect, type ServiceEnv, type ServiceError } from "./service-call";
import type { AuthFailure } from "./sigv4";
import { wildcardMatch } from "./wildcard";

const NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

const dialect: ServiceDialect = {
  service: "ec2",
  renderError(error, _request, id) {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
    return { status: error.status, headers: { "Content-Type": "text/xml;charset=UTF-8" }, body };
  },
  authError(failure: AuthFailure): ServiceError {
    switch (failure.reason) {
      case "missing":
        return {
          status: 401,
          code: "MissingAuthenticationToken",
          message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
        };
      case "unknown-key":
      case "missing-token":
      case "invalid-token":
        return { status: 401, code: "AuthFailure", message: "AWS was not able to validate the provided access credentials" };
      case "expired":
      case "skew":
        return { status: 400, code: "RequestExpired", message: failure.message };
      case "malformed":
      case "unsupported":
        return { status: 400, code: "IncompleteSignature", message: failure.message };
      default:
        return { status: 403, code: "SignatureDoesNotMatch", message: failure.message };
    }
  },
  accessDenied: (message) => ({ status: 403, code: "UnauthorizedOperation", message: `You are not authorized to perform this operation. ${message}` }),
  internalError: (message) => ({ status: 500, code: "InternalError", message }),
};

/** `Filter.N.Name` / `Filter.N.Value.M` → name → values. */
function filters(params: ReadonlyMap<string, string>): Map<string, string[]> {
  const byIndex = new Map<string, { name?: string; values: string[] }>();
  for (const [key, value] of params) {
    const m = /^Filter\.(\d+)\.(Name|Value\.\d+)$/.exec(key);
    if (!m) continue;
    const entry = byIndex.get(m[1]!) ?? { values: [] };
    if (m[2] === "Name") entry.name = value;
    else entry.values.push(value);
    byIndex.set(m[1]!, entry);
  }
  return new Map([...byIndex.values()].filter((f) => f.name !== undefined).map((f) => [f.name!, f.values]));
}

/** The values a filter name reads from a volume, or undefined for a filter EC2 would not accept. */
function filterValues(volume: DeployedVolume, name: string): string[] | undefined {
  if (name.startsWith("tag:")) {
    const value = volume.tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  const single: Record<string, string> = {
    "attachment.instance-id": volume.attachment.instanceId,
    "attachment.device": volume.attachment.device,
    "attachment.status": "attached",
    "attachment.delete-on-termination": String(volume.attachment.deleteOnTermination),
    "availability-zone": volume.availabilityZone,
    encrypted: String(volume.encrypted),
    size: String(volume.sizeGiB),
    status: "in-use",
    "volume-id": volume.id,
    "volume-type": volume.volumeType,
  };
  if (name === "tag-key") return Object.keys(volume.tags);
  return name in single ? [single[name]!] : undefined;
}

function volumeXml(volume: DeployedVolume, createdAt: Date): string {
  const tags = Object.entries(volume.tags)
    .map(([k, v]) => `<item><key>${xmlEscape(k)}</key><value>${xmlEscape(v)}</value></item>`)
    .join("");
  const a = volume.attachment;
  const gp3 = volume.volumeType === "gp3" ? "<iops>3000</iops><throughput>125</throughput>" : "";
  return (
    `<item><volumeId>${volume.id}</volumeId><size>${volume.sizeGiB}</size><snapshotId/><availabilityZone>${volume.availabilityZone}</availabilityZone>` +
    `<status>in-use</status><createTime>${isoSeconds(createdAt)}</createTime>` +
    `<attachmentSet><item><volumeId>${volume.id}</volumeId><instanceId>${a.instanceId}</instanceId><device>${xmlEscape(a.device)}</device><status>attached</status>` +
    `<attachTime>${isoSeconds(createdAt)}</attachTime><deleteOnTermination>${a.deleteOnTermination}</deleteOnTermination></item></attachmentSet>` +
    `<tagSet>${tags}</tagSet><volumeType>${volume.volumeType}</volumeType>${gp3}<encrypted>${volume.encrypted}</encrypted><multiAttachEnabled>false</multiAttachEnabled></item>`
  );
}

function describeVolumes(
  call: ServiceCall,
  params: ReadonlyMap<string, string>,
  volumes: readonly DeployedVolume[],
  createdAt: Date,
  region: string,
): AwsReply {
  const decision = call.authorize("ec2:DescribeVolumes", "*", { keys: { "ec2:Region": region } });
  if (params.get("DryRun") === "true") call.fail({ status: 412, code: "DryRunOperation", message: "Request would have succeeded, but DryRun flag is set." });
  const ids = [...params].filter(([k]) => /^VolumeId\.\d+$/.test(k)).map(([, v]) => v);
  const missing = ids.find((id) => !volumes.some((v) => v.id === id));
  if (missing) call.fail({ status: 400, code: "InvalidVolume.NotFound", message: `The volume '${missing}' does not exist.` });
  const wanted = filters(params);
  for (const name of wanted.keys()) {
    if (filterValues(volumes[0]!, name) === undefined) call.fail({ status: 400, code: "InvalidParameterValue", message: `The filter '${name}' is invalid` });
  }
  const found = volumes.filter(
    (volume) =>
      (ids.length === 0 || ids.includes(volume.id)) &&
      [...wanted].every(([name, values]) => filterValues(volume, name)!.some((actual) => values.some((pattern) => wildcardMatch(pattern, actual)))),
  );
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVolumesResponse xmlns="${NAMESPACE}"><requestId>${call.id}</requestId><volumeSet>${found.map((v) => volumeXml(v, createdAt)).join("")}</volumeSet></DescribeVolumesResponse>`;
  return call.succeed({ status: 200, headers: { "Content-Type": "text/xml;charset=UTF-8" }, body }, decision, `${found.length} volume(s)`);
}

/** The EC2 endpoint of one region. */
export class Ec2StandIn {
  constructor(
    private readonly env: ServiceEnv,
    private readonly volumes: readonly DeployedVolume[],
    private readonly createdAt: Date,
  ) {}

  /** Answer one request. */
  handle(request: AwsRequest): Promise<AwsReply> {
    return serve(this.env, dialect, request, (call) => {
      const form = (headerOf(request, "content-type") ?? "").startsWith("application/x-www-form-urlencoded");
      const params = formParameters(request.method === "POST" && form ? request.body.toString("utf8") : request.query);
      call.action = `ec2:${params.get("Action") ?? "(no Action)"}`;
      call.authenticate({ service: "ec2", region: this.env.region, uriStyle: "standard" });
      const action = params.get("Action");
      if (!action) call.fail({ status: 400, code: "MissingAction", message: "The request must contain the parameter Action" });
      if (action === "DescribeVolumes") return describeVolumes(call, params, this.volumes, this.createdAt, this.env.region);
      return call.fail({
        status: 400,
        code: "InvalidAction",
        message: `The action ${action} is not valid for this web service (not emulated by the rehearsal).`,
      });
    });
  }
}
