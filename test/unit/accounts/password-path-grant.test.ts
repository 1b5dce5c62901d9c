/**
 * The host role reads exactly the mailboxes' password path: `ssm:GetParametersByPath` on the
 * path's ARN, `ssm:GetParameter(s)` on the parameters below it, decryption through SSM only; the
 * explicit deny of every other parameter still covers everything else. Without a mailbox, no grant.
 */
import { withoutAccounts } from "../../support/mailbox-model";
import { gunzipSync } from "zlib";
import { parseJsonWithReferences, resources, synthExample } from "../../support/synth";
import { withMailboxes } from "../../integration/rehearsal/rehearsal-mailboxes";
import { noSecretsInUserData, SECRET_PATTERNS } from "../../../lib/security/rules/no-secrets-in-user-data";
import { usersSyncScriptText, renderUsersSyncService, renderUsersSyncTimer } from "../../../lib/rollout/users-sync";

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  NotResource?: string[];
  Condition?: unknown;
}

function policy(json: ReturnType<typeof synthExample>["json"], name: string): Statement[] | undefined {
  const found = resources(json, "aws_iam_role_policy").find((p) => p.name === name);
  return found ? (parseJsonWithReferences(String(found.policy)) as { Statement: Statement[] }).Statement : undefined;
}

const PATH = "arn:aws:ssm:*:*:parameter/acme-mail/mail-users";

describe("GIVEN the example with mailboxes", () => {
  const { json, platform } = synthExample(withMailboxes);

  test("THEN read-own-secrets lets the host read the password path and the parameters below it, and nothing wider", () => {
    const statements = policy(json, "read-own-secrets")!;
    expect(statements).toEqual([
      {
        Sid: "ReadOwnSecretParameters",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: ["arn:aws:ssm:*:*:parameter/acme-mail/dkim/biz2026", "arn:aws:ssm:*:*:parameter/acme-mail/dkim/mail2026"],
      },
      { Sid: "ReadMailboxPasswordPath", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: PATH },
      { Sid: "ReadMailboxPasswords", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParameters"], Resource: `${PATH}/*` },
      {
        Sid: "DecryptThroughSsmOnly",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringLike: { "kms:ViaService": "ssm.*.amazonaws.com" } },
      },
    ]);
    // Least privilege: in the parameter part of every SSM resource, the only wildcard is the one below the path.
    const ssmResources = statements.filter((s) => String(s.Action).startsWith("ssm:")).flatMap((s) => [s.Resource ?? []].flat());
    expect(ssmResources.map((r) => r.replace(/^arn:aws:ssm:\*:\*:parameter/, "")).filter((name) => name.includes("*"))).toEqual(["/acme-mail/mail-users/*"]);
  });

  test("THEN the deny of every other parameter exempts exactly the DKIM keys, the path and what is below it", () => {
    const [deny] = policy(json, "no-other-parameters")!;
    expect(deny).toEqual({
      Sid: "NoOtherParameters",
      Effect: "Deny",
      Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"],
      NotResource: ["arn:aws:ssm:*:*:parameter/acme-mail/dkim/biz2026", "arn:aws:ssm:*:*:parameter/acme-mail/dkim/mail2026", PATH, `${PATH}/*`],
    });
  });

  test("THEN a model's own prefix is the path granted", () => {
    const { json: own } = synthExample((input) => {
      withMailboxes(input);
      input.accounts = { ...input.accounts, passwordParameterPrefix: "/team/users" };
    });
    expect(policy(own, "read-own-secrets")!.find((s) => s.Sid === "ReadMailboxPasswordPath")!.Resource).toBe("arn:aws:ssm:*:*:parameter/team/users");
  });

  test("THEN the bundle ships the users sync and its units and runs it after each apply; the user data runs it at first boot; no secret in either", () => {
    const instance = resources(json, "aws_instance")[0]!;
    const text = gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8");
    expect(text).toContain('/usr/local/sbin/mail-platform-users-sync --region "$region"');
    expect(text).toContain("systemctl enable --now mail-platform-users-sync.timer");
    expect(SECRET_PATTERNS.filter(([p]) => p.test(text)).map(([, what]) => what)).toEqual([]);
    const bundle = platform.hosts.get("mx1")!.bundle;
    expect(bundle.files.filter((f) => /users-sync|mailboxes\.json/.test(f.path)).map((f) => [f.path, f.mode])).toEqual([
      ["/etc/mail-platform/mailboxes.json", "0644"],
      ["/etc/systemd/system/mail-platform-users-sync.service", "0644"],
      ["/etc/systemd/system/mail-platform-users-sync.timer", "0644"],
      ["/usr/local/sbin/mail-platform-users-sync", "0755"],
    ]);
    expect(bundle.files.find((f) => f.path === "/usr/local/sbin/mail-platform-users-sync")!.content).toBe(usersSyncScriptText());
    // After the daemons' reloads; only the blocklist watch's two commands follow.
    expect(bundle.reload.slice(-5, -2)).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "mail-platform-users-sync.timer"],
      ["systemctl", "start", "--no-block", "mail-platform-users-sync.service"],
    ]);
    expect(bundle.reload.slice(-2).map((c) => c[0])).toEqual(["/usr/local/sbin/mail-platform-blocklist-watch", "systemctl"]);
    for (const part of [usersSyncScriptText(), renderUsersSyncService(), renderUsersSyncTimer()])
      expect(SECRET_PATTERNS.filter(([p]) => p.test(part))).toEqual([]);
    expect(noSecretsInUserData.id).toBe("no-secrets-in-user-data");
  });
});

describe("GIVEN the example without mailboxes", () => {
  test("THEN the role has no password grant and the deny covers the password path", () => {
    const { json } = synthExample(withoutAccounts);
    expect(policy(json, "read-own-secrets")!.map((s) => s.Sid)).toEqual(["ReadOwnSecretParameters", "DecryptThroughSsmOnly"]);
    expect(JSON.stringify(policy(json, "no-other-parameters"))).not.toContain("mail-users");
  });
});

describe("the no-secrets-in-user-data rule and password hashes", () => {
  test.each([
    ["ARGON2ID", "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$3hVSUSJPlrnLxYHpClsJzQ$Og5CK6BoKLWPRPRU/tOBmlVHUPl9gKuYm3tX19yk5PU"],
    ["SHA512-CRYPT", "{SHA512-CRYPT}$6$5sWQtmLq33kruM29$mFvFuShj3r5mnKC3dEzRVCpS8jZAzpp9.se1bQKV21Vez7mFH3Siq2MePyAu6T5UnCpO2IVWeL5rK1fp41oN.."],
    ["BLF-CRYPT", "{BLF-CRYPT}$2y$05$Q75TMu5WlzJwd3ugY6YxgeCRZYOJYMnHhlNNcrS/9IUYxeV5niCzy"],
  ])("recognises a %s hash in a users-file line", (_scheme, hash) => {
    const line = `alice@example.com:${hash}::::::`;
    expect(SECRET_PATTERNS.filter(([p]) => p.test(line)).map(([, what]) => what)).toEqual(["a password hash"]);
  });
});
