/**
 * An invalid model is the user's to fix, not a crash: under `cdktf synth` (or `cdktn synth`) the
 * problem list is printed the way `mail-platform validate` prints it, without a stack trace or an
 * object dump, and the app exits 1. Everywhere else (tests, apps that catch) the
 * {@link PlatformValidationError} is thrown as usual.
 */
import { PlatformValidationError } from "../model/issues";

/**
 * Whether this process is an app run by the cdktf (or cdktn) CLI: both set `CDKTF_OUTDIR` for the
 * app they synthesize; `Testing` and plain `node main.ts` runs do not.
 */
export function runByCdkCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof env.CDKTF_OUTDIR === "string" && env.CDKTF_OUTDIR !== "";
}

/** Run `validate`; under the CDK CLI a {@link PlatformValidationError} ends the app with the problem list. */
export function validatedForSynth<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof PlatformValidationError && runByCdkCli()) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
