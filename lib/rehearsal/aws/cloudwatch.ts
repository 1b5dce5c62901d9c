/**
 * CloudWatch stand-in (`monitoring.<region>.amazonaws.com`, query protocol, API 2010-08-01, as
 * Debian's botocore calls it: a form-encoded POST, which botocore releases after bookworm's 1.29
 * gzip once it is 10 KiB or more — CloudWatch accepts that for PutMetricData, and so does the
 * stand-in): PutMetricData only, the call the hosts' blocklist watch makes. The action has no
 * resource (IAM sees `*`); the namespace is the condition key `cloudwatch:namespace`, the only way
 * a policy can scope it, so the request is read and checked (cloudwatch-metric-data.ts) before it
 * is authorized. The data points of an allowed call are kept with their namespace, publisher and
 * time, for tests to read. Any other action is answered with the query protocol's `InvalidAction`
 * and logged.
 */
import { commonAuthError } from "./common-auth-errors";
import { gunzipSync } from "zlib";
import type { CallerIdentity } from "./access";
import { MetricDataError, parsePutMetricData, type MetricDatum, type PutMetricDataInput } from "./cloudwatch-metric-data";
import { formParameters, headerOf, xmlEscape, type AwsReply, type AwsRequest } from "./http-exchange";
import { serve, type ServiceCall, type ServiceDialect, type ServiceEnv, type ServiceError } from "./service-call";
import type { AuthFailure } from "./sigv4";

export type { MetricDatum, MetricDimension, StandardUnit, StatisticSet } from "./cloudwatch-metric-data";

const NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";
const XML = { "Content-Type": "text/xml" };
/** A guard against a compressed body that expands without end (CloudWatch limits requests to 1 MB). */
const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

const dialect: ServiceDialect = {
  service: "cloudwatch",
  renderError: (error, _request, id) => ({
    status: error.status,
    headers: XML,
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  }),
  authError: (failure: AuthFailure) => commonAuthError(failure, "Request is missing Authentication Token"),
  accessDenied: (message) => ({ status: 403, code: "AccessDenied", message }),
  internalError: (message) => ({ status: 500, code: "InternalServiceError", message }),
};

/** A datum CloudWatch accepted, as the world keeps it. */
export interface PublishedDatum extends MetricDatum {
  readonly namespace: string;
  /** The session that published it. */
  readonly publisher: string;
  readonly receivedAt: Date;
}

/**
 * The request's parameters: the query string, or a form body (inflated first when gzip-encoded),
 * or the error to answer once the caller is known.
 */
function readParameters(request: AwsRequest): { readonly params: Map<string, string> } | { readonly error: ServiceError } {
  const form = (headerOf(request, "content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (request.method !== "POST" || !form) return { params: formParameters(request.query) };
  const encoding = (headerOf(request, "content-encoding") ?? "").toLowerCase().trim();
  if (encoding === "" || encoding === "identity") return { params: formParameters(request.body.toString("utf8")) };
  if (encoding !== "gzip")
    return { error: { status: 415, code: "UnsupportedMediaType", message: `Content-Encoding ${encoding} is not accepted (only gzip is)` } };
  try {
    return { params: formParameters(gunzipSync(request.body, { maxOutputLength: MAX_INFLATED_BYTES }).toString("utf8")) };
  } catch (error) {
    return { error: { status: 400, code: "InvalidParameterValue", message: `The gzip-encoded body could not be inflated: ${(error as Error).message}` } };
  }
}

/** CloudWatch metrics of one region. */
export class CloudWatchStandIn {
  private readonly published: PublishedDatum[] = [];

  constructor(private readonly env: ServiceEnv) {}

  /** Every datum accepted so far, oldest first; of one namespace when given. */
  data(namespace?: string): PublishedDatum[] {
    return this.published.filter((d) => namespace === undefined || d.namespace === namespace);
  }

  /** Answer one request. */
  handle(request: AwsRequest): Promise<AwsReply> {
    return serve(this.env, dialect, request, (call) => {
      const read = readParameters(request);
      const action = "params" in read ? read.params.get("Action") : undefined;
      // Name the action before authenticating, so a refused signature is logged against it.
      call.action = `cloudwatch:${action ?? "(no Action)"}`;
      const caller = call.authenticate({ service: "monitoring", region: this.env.region, uriStyle: "standard" });
      if ("error" in read) return call.fail(read.error);
      if (!action) return call.fail({ status: 400, code: "MissingAction", message: "The request must contain the parameter Action" });
      if (action === "PutMetricData") return this.putMetricData(call, caller, read.params, request.received);
      return call.fail({
        status: 400,
        code: "InvalidAction",
        message: `The action ${action} is not valid for this web service (not emulated by the rehearsal).`,
      });
    });
  }

  private putMetricData(call: ServiceCall, caller: CallerIdentity, params: ReadonlyMap<string, string>, received: Date): AwsReply {
    let input: PutMetricDataInput;
    try {
      input = parsePutMetricData(params, received);
    } catch (error) {
      if (!(error instanceof MetricDataError)) throw error;
      call.resource = "*";
      return call.fail({ status: 400, code: error.code, message: error.message });
    }
    const decision = call.authorize("cloudwatch:PutMetricData", "*", { keys: { "cloudwatch:namespace": input.namespace } });
    for (const datum of input.metricData) this.published.push({ ...datum, namespace: input.namespace, publisher: caller.sessionArn, receivedAt: received });
    const body = `<?xml version="1.0"?>\n<PutMetricDataResponse xmlns="${NAMESPACE}"><ResponseMetadata><RequestId>${call.id}</RequestId></ResponseMetadata></PutMetricDataResponse>`;
    const count = input.metricData.length;
    return call.succeed({ status: 200, headers: XML, body }, decision, `${count} ${count === 1 ? "datum" : "data"} into ${input.namespace}`);
  }
}
