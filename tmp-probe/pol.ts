import { synthExample, resources } from "../test/support/synth";
const { json } = synthExample();
console.log(String(resources(json, "aws_iam_role_policy")[0]!.policy));
