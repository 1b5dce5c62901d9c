import { getReferencesInExpression } from "@cdktf/hcl2json";
(async () => {
  for (const e of ['"${{ for key, val in flatten([ for key, val in local.a: [ for name, values in val : { name = name, zone = key, values = values } ]]): val.name => val }}"', '"a ${data_directory} b"', '"arn:${aws_route53_zone.x["a.b"].zone_id} $${not}"']) {
    console.log(JSON.stringify(await getReferencesInExpression("main.tf", e)));
  }
})();
