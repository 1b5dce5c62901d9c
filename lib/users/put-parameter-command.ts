/**
 * The `aws ssm put-parameter` command that stores a hash, for pipelines that hold the AWS rights
 * elsewhere: printed, never run. It carries the hash only, never the password.
 */

/** A word quoted for a POSIX shell: single quotes, and `'\''` for a single quote. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that writes a hash as the mailbox's SecureString (overwriting the previous one).
 * @param region - added as `--region` when given; default: the aws command's own configuration
 */
export function putParameterCommandLine(name: string, hash: string, region?: string): string {
  const words = ["aws", "ssm", "put-parameter", ...(region === undefined ? [] : ["--region", region])];
  words.push("--type", "SecureString", "--overwrite", "--name", name, "--value", hash);
  return words.map(shellQuote).join(" ");
}
