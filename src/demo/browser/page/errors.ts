/**
 * Errors as the page shows them: one line, never a secret. The library's errors promise a message
 * without secrets (SessionError, with its stable code); other messages (NDK's, the page's own
 * bounded waits) are shown too, after key-shaped strings are masked, since one could in principle
 * quote what was typed.
 */
import { SessionError } from "../../../errors";

const BECH32_SECRET = /\b(nsec1|ncryptsec1)[02-9ac-hj-np-z]+/gi;
const HEX_KEY = /\b[0-9a-f]{64}\b/gi;
const MAX = 200;

export function oneLine(error: unknown): string {
  const text =
    error instanceof SessionError
      ? `${error.message} (${error.code})`
      : error instanceof Error
        ? error.message || error.name
        : "the operation failed";
  const line = (text.split("\n")[0] ?? "").replace(BECH32_SECRET, "$1…").replace(HEX_KEY, (hex) => `${hex.slice(0, 8)}…`);
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
