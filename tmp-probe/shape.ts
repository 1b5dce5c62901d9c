import { App, TerraformStack, TerraformLocal } from "cdktf";
const shape = process.argv[2]; const n = 110000; const zones = 10000;
const app = new App({ outdir: "/tmp/shape-out" });
const stack = new TerraformStack(app, "s");
const data: Record<string, Record<string, unknown>> = {};
for (let i = 0; i < n; i++) {
  const z = `customer${i % zones}.example`;
  const name = `_r${Math.floor(i / zones)}.${z}`;
  (data[z] ??= {})[name] = shape === "A" ? ["0 1 993 mail.customer0.group0.example."] : shape === "B" ? "abcdef012345" : shape === "S" ? "0 1 993 mail.customer0.group0.example." : ["abcdef"];
}
new TerraformLocal(stack, "d", data);
const t = Date.now(); app.synth(); console.log(shape, Date.now() - t, "ms");
