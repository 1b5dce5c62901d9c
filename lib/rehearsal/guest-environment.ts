/**
 * The environment of a program started with chroot in a guest's root file system (or by
 * debootstrap, which chroots itself): this process's environment without the variables that name
 * a temporary directory of this machine, which does not exist inside the guest (`TMPDIR` set by
 * a test runner or a user made `mktemp` fail there).
 */
export function chrootEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ["TMPDIR", "TMP", "TEMP"]) delete env[name];
  return env;
}
