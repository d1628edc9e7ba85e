import type { RetryPolicy, SessionFailure } from "./types";

/**
 * What an effect's rejection leaves in context (persisted and inspected): our effects reject with a
 * code and a message written to be shown; anything else keeps only its error name, since a foreign
 * message may quote what it failed on.
 */
export function asFailure(error: unknown): SessionFailure {
  const candidate = error as (Partial<SessionFailure> & { name?: unknown }) | undefined;
  const ours = typeof candidate?.code === "string" && typeof candidate.message === "string";
  const name = typeof candidate?.name === "string" ? candidate.name : "Error";
  return {
    code: ours ? candidate.code! : "unexpected",
    message: ours ? candidate.message! : `unexpected failure (${name})`,
    at: typeof candidate?.at === "number" ? candidate.at : 0,
  };
}

/** Signer failures only the user can mend (a new login): retrying on a timer would change nothing. */
export const NEEDS_LOGIN: ReadonlySet<string> = new Set(["signer-unavailable", "signer-mismatch"]);

/** The extension is missing or on another account: not a crash, and it may come back by itself. */
export const EXTENSION_AWAY: ReadonlySet<string> = new Set(["extension-missing", "extension-other-account"]);

/** Exponential backoff: baseMs, 2×, 4×, … capped at maxMs. */
export const retryDelay = (policy: RetryPolicy, attempt: number) => Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
