import { getExpressionAst } from "@cdktf/hcl2json";
(async () => {
  for (const e of ['${{ for key, val in flatten([ for key, val in local.a: [ for name, values in val : { name = name, zone = key, values = values } ]]): val.name => val }}', '${local.x[each.value.zone]}', '${merge(local.a, { for key, val in aws_route53_zone.b: key => val.zone_id })}', '${{ for key, val in flatten([ for key, val in local.a: [ for name, values in val : { name = name, zone = key, values = values } ]]): val.name => val }', 'arn:${aws_route53_zone.x["a.b"].zone_id}']) {
    try { const ast = await getExpressionAst("main.tf", `"${e}"`); console.log(ast ? "ok " + ast.type : "null", e.slice(0, 40)); } catch (err) { console.log("ERR", String(err).slice(0, 200)); }
  }
})();
