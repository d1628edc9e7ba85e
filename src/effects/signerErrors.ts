import { SignerError } from "../errors";

/**
 * The signer returned something that is not a valid signature by this session's pubkey over the
 * event it was given (another key, another content, garbage). The event is never handed out.
 */
export class SignerMismatchError extends SignerError {
  override name = "SignerMismatchError";
  constructor(readonly pubkey: string) {
    super("The signer returned a signature that does not verify for this session's pubkey", "signer-mismatch");
  }
}

/** The signer did not answer within `timeoutMs` of working time (time spent awaiting the user's approval excluded). */
export class SignerTimeoutError extends SignerError {
  override name = "SignerTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`The signer did not answer within ${timeoutMs} ms`, "signer-timeout");
  }
}

/** The caller cancelled the call (its AbortSignal fired), while it was queued or running. */
export class SignerCancelledError extends SignerError {
  override name = "SignerCancelledError";
  constructor() {
    super("The signer call was cancelled", "signer-cancelled");
  }
}

/** The caller's signal cancelled a login while it waited for its signer (or the signer's relays). */
export const loginCancelled = () => new SignerError("The login was cancelled", "signer-cancelled");

/** The signer threw or refused; its own error is kept as `cause` (never in the message). */
export class SignerFailedError extends SignerError {
  override name = "SignerFailedError";
  constructor(override readonly cause: unknown) {
    super("The signer failed or refused the request", "signer-failed");
  }
}

/**
 * None of a remote signer's relays could be reached (refused, or not connected within `timeoutMs`),
 * so no request was sent. `relays` are shown without query or credentials.
 */
export class BunkerUnreachableError extends SignerError {
  override name = "BunkerUnreachableError";
  constructor(
    readonly relays: string[],
    readonly timeoutMs: number,
    timedOut: boolean,
  ) {
    const which = relays.length === 1 ? `relay ${relays[0]}` : `relays ${relays.join(", ")}`;
    super(`The remote signer's ${which} could not be reached${timedOut ? ` within ${timeoutMs} ms` : ""}`, "bunker-unreachable");
  }
}
