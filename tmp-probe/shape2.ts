import { App, TerraformStack, TerraformLocal } from "cdktf";
const shape = process.argv[2]; const zones = 1000;
const app = new App({ outdir: "/tmp/shape-out" });
const stack = new TerraformStack(app, "s");
for (const t of ["mx", "srv", "txt"]) {
  const per = t === "mx" ? 1 : t === "srv" ? 6 : 4;
  const data: Record<string, unknown> = {};
  for (let z = 0; z < zones; z++) {
    const zone = `customer${z}.group1.example`;
    const names = Array.from({ length: per }, (_, i) => [`_r${i}._tcp.${zone}`, `${t}-0123456789ab`]);
    data[zone] = shape === "obj" ? Object.fromEntries(names) : names.map(([n, k]) => `${n}=${k}`).join(" ");
  }
  new TerraformLocal(stack, t, data);
}
const t = Date.now(); app.synth(); console.log(shape, Date.now() - t, "ms");
