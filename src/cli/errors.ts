import { SessionError } from "../errors";

/** A failure the CLI reports as one line on stderr; `exitCode` 2 for bad usage, 1 for the rest. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly code = "error",
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(`${message} (see --help)`, "usage", 2);

/** Whatever could be a key or a remote signer's secret, never printed (pubkeys are always shown as npub). */
export function redact(text: string): string {
  return text
    .replace(/\b(nsec1|ncryptsec1)[0-9a-z]+/gi, "$1…")
    .replace(/\b[0-9a-f]{64}\b/gi, "…")
    .replace(/(secret=)[^&\s]+/gi, "$1…")
    .replace(/bunker:\/\/\S+/gi, "bunker://…");
}

/** Words for the library's error codes, where its own message is not the best for a terminal. */
const phrasing: Record<string, (error: SessionError) => string> = {
  "wrong-passphrase": () => "wrong passphrase",
  // A bunker:// address was recognised: the library's message says what is wrong with it (never the address).
  "invalid-login": (e) =>
    e.message.startsWith("Bad bunker:// address") ? e.message : "not a key: expected nsec1…, ncryptsec1…, npub1…, bunker://… or a 64-hex key with --as",
  "ambiguous-hex": () => "a hex key needs --as private-key or --as read-only",
  "invalid-pubkey": () => "not a valid public key",
  "session-not-found": () => "no such account (see `list`)",
  "no-active-session": () => "no active account",
  "signer-timeout": (e) => `the signer did not answer: ${e.message}`,
};

/** One line, no stack, no secret: the code and what to tell the user. */
export function describe(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof CliError) return { code: error.code, message: oneLine(error.message), exitCode: error.exitCode };
  if (error instanceof SessionError) {
    const say = phrasing[error.code];
    return { code: error.code, message: oneLine(say ? say(error) : error.message), exitCode: 1 };
  }
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: "unexpected", message: oneLine(`unexpected ${name}: ${message}`), exitCode: 1 };
}

function oneLine(text: string): string {
  const line = redact(text).split(/\r?\n/, 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
