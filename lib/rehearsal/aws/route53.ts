/**
 * Route53 stand-in (REST-XML API 2013-04-01, the global endpoint route53.amazonaws.com, signed for
 * us-east-1): ListHostedZones (paginated by `marker`/`maxitems`), ChangeResourceRecordSets and
 * GetChange — what certbot's dns-route53 plugin calls. A change is authorized with the condition
 * keys Route53 puts in the request context (normalised record names, record types, actions).
 * `_acme-challenge.*` TXT record sets are published to pebble-challtestsrv, where pebble checks
 * them, as Route53's name servers would serve them; a change reports INSYNC once that is done
 * (PENDING if publishing failed, which is logged). Other operations are answered with
 * UnknownOperationException and logged. The zones start empty: the platform's own records are
 * served by the rehearsal's DNS, not kept here.
 */
import { commonAuthError } from "./common-auth-errors";
import { randomBytes } from "crypto";
import { ChallengeDns, txtValueText } from "./challenge-dns";
import type { DeployedZone } from "./deployment";
import { formParameters, isoSeconds, xmlEscape, type AwsReply, type AwsRequest } from "./http-exchange";
import { applyChangeBatch, parseChangeBatch, RecordChangeError, type RecordSet } from "./route53-records";
import { serve, type ServiceCall, type ServiceDialect, type ServiceEnv } from "./service-call";
import type { AuthFailure } from "./sigv4";

const NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/";
const XML = { "Content-Type": "text/xml" };

const dialect: ServiceDialect = {
  service: "route53",
  renderError: (error, _request, id) => ({
    status: error.status,
    headers: XML,
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  }),
  authError: (failure: AuthFailure) => commonAuthError(failure, "Missing Authentication Token"),
  accessDenied: (message) => ({ status: 403, code: "AccessDenied", message }),
  internalError: (message) => ({ status: 500, code: "InternalFailure", message }),
};

interface HostedZone {
  readonly zone: DeployedZone;
  records: Map<string, RecordSet>;
}

interface Change {
  readonly id: string;
  status: "PENDING" | "INSYNC";
  readonly submittedAt: Date;
  readonly comment?: string;
}

const changeInfo = (c: Change) =>
  `<ChangeInfo><Id>/change/${c.id}</Id><Status>${c.status}</Status><SubmittedAt>${isoSeconds(c.submittedAt).replace("Z", ".000Z")}</SubmittedAt>${c.comment !== undefined ? `<Comment>${xmlEscape(c.comment)}</Comment>` : ""}</ChangeInfo>`;

/** The account's Route53. */
export class Route53StandIn {
  private readonly zones: HostedZone[];
  private readonly changes = new Map<string, Change>();
  private readonly challengeDns?: ChallengeDns;

  constructor(
    private readonly env: ServiceEnv,
    zones: readonly DeployedZone[],
    challengeDnsUrl?: string,
  ) {
    this.zones = [...zones].sort((a, b) => a.id.localeCompare(b.id)).map((zone) => ({ zone, records: new Map() }));
    if (challengeDnsUrl) this.challengeDns = new ChallengeDns(challengeDnsUrl);
  }

  /** The record sets of a zone (by name), as changed through the API. */
  recordSets(zoneName: string): RecordSet[] {
    return [...(this.zones.find((z) => z.zone.name === zoneName)?.records.values() ?? [])];
  }

  /** Answer one request. */
  handle(request: AwsRequest): Promise<AwsReply> {
    return serve(this.env, dialect, request, async (call) => {
      const operation = this.operation(request);
      // Name the IAM action before authenticating, so a refused signature is logged against it.
      call.action = operation?.action ?? `route53:${request.method} ${request.path}`;
      call.authenticate({ service: "route53", region: "us-east-1", uriStyle: "standard" });
      if (!operation)
        return call.fail({ status: 404, code: "UnknownOperationException", message: `${request.method} ${request.path} is not emulated by the rehearsal` });
      return operation.run(call);
    });
  }

  /** The operation a request asks for (REST routes of the 2013-04-01 API). */
  private operation(request: AwsRequest): { action: string; run: (call: ServiceCall) => AwsReply | Promise<AwsReply> } | undefined {
    const path = request.path.replace(/\/+$/, "");
    if (request.method === "GET" && path === "/2013-04-01/hostedzone")
      return { action: "route53:ListHostedZones", run: (call) => this.listHostedZones(call, formParameters(request.query)) };
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/.exec(path);
    if (request.method === "POST" && rrset)
      return {
        action: "route53:ChangeResourceRecordSets",
        run: (call) => this.changeRecordSets(call, decodeURIComponent(rrset[1]!), request.body.toString("utf8")),
      };
    const change = /^\/2013-04-01\/change\/([^/]+)$/.exec(path);
    if (request.method === "GET" && change) return { action: "route53:GetChange", run: (call) => this.getChange(call, decodeURIComponent(change[1]!)) };
    return undefined;
  }

  private listHostedZones(call: ServiceCall, query: ReadonlyMap<string, string>): AwsReply {
    const decision = call.authorize("route53:ListHostedZones", "*");
    const maxItems = Number(query.get("maxitems") ?? "100");
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 100)
      call.fail({ status: 400, code: "InvalidInput", message: `Invalid maxitems: ${query.get("maxitems")}` });
    const marker = query.get("marker");
    const start = marker === undefined ? 0 : this.zones.findIndex((z) => z.zone.id === marker);
    if (start < 0) call.fail({ status: 400, code: "InvalidInput", message: `Invalid marker: ${marker}` });
    const page = this.zones.slice(start, start + maxItems);
    const next = this.zones[start + maxItems];
    const zones = page
      .map(
        ({ zone, records }) =>
          `<HostedZone><Id>/hostedzone/${zone.id}</Id><Name>${zone.name}.</Name><CallerReference>${zone.created ? `terraform-${zone.id}` : zone.id}</CallerReference>` +
          `<Config>${zone.comment !== undefined ? `<Comment>${xmlEscape(zone.comment)}</Comment>` : ""}<PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>${2 + records.size}</ResourceRecordSetCount></HostedZone>`,
      )
      .join("");
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesResponse xmlns="${NAMESPACE}"><HostedZones>${zones}</HostedZones>` +
      `${marker !== undefined ? `<Marker>${marker}</Marker>` : ""}<IsTruncated>${next !== undefined}</IsTruncated>${next ? `<NextMarker>${next.zone.id}</NextMarker>` : ""}<MaxItems>${maxItems}</MaxItems></ListHostedZonesResponse>`;
    return call.succeed({ status: 200, headers: XML, body }, decision, `${page.length} zone(s)`);
  }

  private async changeRecordSets(call: ServiceCall, zoneIdText: string, body: string): Promise<AwsReply> {
    const zoneId = zoneIdText.replace(/^\/?hostedzone\//, "");
    let batch;
    try {
      batch = parseChangeBatch(body);
    } catch (error) {
      if (error instanceof RecordChangeError) call.fail({ status: 400, code: error.code, message: error.message });
      throw error;
    }
    const unique = (values: string[]) => [...new Set(values)];
    const decision = call.authorize("route53:ChangeResourceRecordSets", `arn:aws:route53:::hostedzone/${zoneId}`, {
      keys: {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": unique(batch.changes.map((c) => c.recordSet.name)),
        "route53:ChangeResourceRecordSetsRecordTypes": unique(batch.changes.map((c) => c.recordSet.type)),
        "route53:ChangeResourceRecordSetsActions": unique(batch.changes.map((c) => c.action)),
      },
    });
    const hosted = this.zones.find((z) => z.zone.id === zoneId);
    if (!hosted) return call.fail({ status: 404, code: "NoSuchHostedZone", message: `No hosted zone found with ID: ${zoneId}` });
    let applied;
    try {
      applied = applyChangeBatch(hosted.zone.name, hosted.records, batch);
    } catch (error) {
      if (error instanceof RecordChangeError) call.fail({ status: 400, code: error.code, message: error.message });
      throw error;
    }
    hosted.records = applied.next;
    const change: Change = {
      id: `C${randomBytes(15)
        .toString("base64url")
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "0")
        .slice(0, 20)}`,
      status: "PENDING",
      submittedAt: this.env.now(),
      ...(batch.comment !== undefined ? { comment: batch.comment } : {}),
    };
    this.changes.set(change.id, change);
    const note = await this.publishChallenges(applied.changed);
    const reply = {
      status: 200,
      headers: XML,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsResponse xmlns="${NAMESPACE}">${changeInfo(change)}</ChangeResourceRecordSetsResponse>`,
    };
    if (note.ok) change.status = "INSYNC";
    return call.succeed(reply, decision, note.text);
  }

  /** Publish changed `_acme-challenge` TXT record sets to the challenge DNS. */
  private async publishChallenges(changed: readonly RecordSet[]): Promise<{ ok: boolean; text: string }> {
    const challenges = changed.filter((r) => r.type === "TXT" && r.name.startsWith("_acme-challenge."));
    if (challenges.length === 0) return { ok: true, text: "no challenge record changed" };
    if (!this.challengeDns) return { ok: true, text: "no challenge DNS configured; not published" };
    try {
      for (const r of challenges) await this.challengeDns.publish({ name: r.name, values: r.values.map((v) => txtValueText(v)!) });
      return { ok: true, text: `published ${challenges.map((r) => r.name).join(", ")} to the challenge DNS` };
    } catch (error) {
      const text = `publishing to the challenge DNS FAILED (change stays PENDING): ${(error as Error).message}`;
      this.env.log.record({ at: this.env.now(), service: "route53", action: "publish challenge records", decision: "error", reason: text, status: 0 });
      return { ok: false, text };
    }
  }

  private getChange(call: ServiceCall, idText: string): AwsReply {
    const id = idText.replace(/^\/?change\//, "");
    const decision = call.authorize("route53:GetChange", `arn:aws:route53:::change/${id}`);
    const change = this.changes.get(id);
    if (!change) return call.fail({ status: 404, code: "NoSuchChange", message: `A change with the specified change ID does not exist.` });
    return call.succeed(
      {
        status: 200,
        headers: XML,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="${NAMESPACE}">${changeInfo(change)}</GetChangeResponse>`,
      },
      decision,
      change.status,
    );
  }
}
