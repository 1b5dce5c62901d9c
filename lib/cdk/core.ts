/**
 * The only module that imports the CDK core. The library is built from the same source in two
 * flavours: CDK for Terraform (`cdktf`, this file as written) and its community continuation
 * CDK Terrain (`cdktn`), whose build rewrites this file's package name and nothing else
 * (`scripts/build-flavour.ts`). A test keeps every other file from importing the core directly.
 */
export {
  Annotations,
  App,
  Aspects,
  Fn,
  forExpression,
  TerraformIterator,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Token,
} from "cdktf";
export type { IAspect, IResolvable, IStackSynthesizer, ISynthesisSession, ITerraformDependable } from "cdktf";
