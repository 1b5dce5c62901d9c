/**
 * Reading a new password without it ever being shown or logged: from the terminal with echo off
 * (asked twice; both must match), or the first line of standard input (`--stdin`, for scripts).
 */
import { UserError } from "../errors";
import { passwordProblem } from "../users/password-hash";

/** The terminal side of a prompt: node's stdin when it is a TTY. */
export interface TerminalInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Largest first line read from standard input, in bytes. */
const MAX_LINE_BYTES = 8192;

/** The first line of a stream (without its line end), read until the first newline or the end. */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    const newline = bytes.indexOf(0x0a);
    chunks.push(newline < 0 ? bytes : bytes.subarray(0, newline));
    size += bytes.length;
    if (newline >= 0) break;
    if (size > MAX_LINE_BYTES) throw new UserError(`the first line of standard input is over ${MAX_LINE_BYTES} bytes: not a password`);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/\r$/, "");
}

/**
 * Ask for a line on the terminal with echo off (raw mode). Enter ends it; Backspace deletes;
 * Ctrl-U clears; Ctrl-C, or Ctrl-D on an empty line, cancels.
 * @throws UserError when input is not a terminal, or when cancelled
 */
export function promptHidden(prompt: string, input: TerminalInput, write: (text: string) => void): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== "function")
    return Promise.reject(
      new UserError("standard input is not a terminal, so the password cannot be asked for: give it on standard input with --stdin (first line)"),
    );
  const setRawMode = input.setRawMode.bind(input);
  write(prompt);
  setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (error?: UserError) => {
      input.removeListener("data", onData);
      setRawMode(false);
      input.pause();
      write("\n");
      if (error) reject(error);
      else resolve(typed.join(""));
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new UserError("cancelled"));
        if (ch === "\u0004") return typed.length === 0 ? finish(new UserError("cancelled")) : finish();
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch === "\u0015") typed = [];
        else typed.push(ch);
      }
    };
    input.on("data", onData);
  });
}

/** Ask twice on the terminal; the two must match. */
export async function promptNewPassword(address: string, input: TerminalInput, write: (text: string) => void): Promise<string> {
  const first = await promptHidden(`New password for ${address}: `, input, write);
  // Said before the second prompt, so that a refused password is not typed twice.
  const problem = passwordProblem(first);
  if (problem !== undefined) throw new UserError(`${problem}; nothing was changed`);
  const second = await promptHidden(`Repeat the password: `, input, write);
  if (first !== second) throw new UserError("the two passwords differ; nothing was changed");
  return first;
}
