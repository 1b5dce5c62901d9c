/**
 * The local test overlay never reaches production output: no rendered file, no user data and
 * no synthesized resource carries an overlay setting, the XCLIENT permission or a state path.
 */
import { gunzipSync } from "zlib";
import { stateLayout } from "../../lib/local/conventions";
import { dovecotOverlay, OVERLAY_TITLE, postfixOverlay } from "../../lib/local/overlay";
import { fail2banOverlayFiles } from "../../lib/local/fail2ban";
import { parsePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";
import { renderPlatform } from "../../lib/render/host-files";
import { mainCfSettings } from "../support/example";
import { resources, synthExample } from "../support/synth";
import { variants } from "../support/variants";

const layout = stateLayout("/tmp/mail-platform-local");

describe.each(variants().map((v) => [v.name, v] as const))("variant %s", (_name, variant) => {
  const planned = plan(parsePlatform(structuredClone(variant.input)));
  const files = renderPlatform(planned).flatMap((h) => h.files);
  const overlayOnlyKeys = Object.keys(postfixOverlay(planned, layout)).filter(
    (k) => !["smtp_tls_CAfile", "postscreen_access_list", "sender_canonical_maps", "recipient_canonical_maps"].includes(k),
  );

  test("production main.cf has none of the overlay-only settings", () => {
    for (const file of files.filter((f) => f.path.endsWith("main.cf"))) {
      const settings = mainCfSettings(file.content);
      expect(overlayOnlyKeys.filter((k) => settings.has(k))).toEqual([]);
      expect(settings.get("smtp_tls_CAfile")).toBe("/etc/ssl/certs/ca-certificates.crt");
      if (settings.has("postscreen_access_list")) expect(settings.get("postscreen_access_list")).toBe("permit_mynetworks");
      // SRS tables: the overlay moves them to the instance's own postsrsd; production keeps the host's.
      if (settings.has("sender_canonical_maps")) expect(settings.get("sender_canonical_maps")).toMatch(/^(tcp:127\.0\.0\.1:10001|socketmap:unix:srs:forward)$/);
    }
  });

  test("no production file names XCLIENT, the overlay title, the overlay's Dovecot paths or a state directory", () => {
    const text = files.map((f) => f.content).join("\n");
    expect(text).not.toMatch(/xclient/i);
    expect(text).not.toContain(OVERLAY_TITLE);
    expect(text).not.toContain("/tmp/");
    for (const key of Object.keys(dovecotOverlay(layout))) expect(text).not.toMatch(new RegExp(`^${key} =`, "m"));
    // fail2ban: production reads the journal and bans in Debian's table; the overlay's files are never rendered.
    const overlayFiles = fail2banOverlayFiles(layout, "127.0.10");
    expect(files.map((f) => f.path).filter((p) => Object.keys(overlayFiles).some((o) => p.endsWith(o)))).toEqual([]);
    expect(text).not.toMatch(/^(backend = polling|logpath|banaction = mail-platform-local-nftables)/m);
  });
});

test("the synthesized stack and its user data carry no overlay either", () => {
  const { text, json } = synthExample();
  expect(text).not.toMatch(/xclient|mail-platform-local|Local test overlay/i);
  for (const instance of resources(json, "aws_instance")) {
    const userData = gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8");
    expect(userData).not.toMatch(/xclient|mail-platform-local|Local test overlay/i);
  }
});
