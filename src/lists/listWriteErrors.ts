/**
 * Why a list write was refused. Each refusal happens before anything is built, so a caller that
 * catches one has nothing half-made to publish. Messages name the list and the rule, never an item
 * (private items must not leak into logs).
 */
import { SessionError } from "../errors";

export type ListEditErrorCode =
  /** An edit is not `{ op, tag: string[], private? }` with a tag name and value, or edits the `d` tag. */
  | "list-edit-invalid"
  /** The kind is neither replaceable nor addressable: a new event would not replace the old one. */
  | "list-kind-unsupported"
  /** A private edit on a kind whose content means something else (kind 0, 3, 10002). */
  | "list-private-unsupported"
  /** The base event is of another kind or `d` tag than the write. */
  | "list-base-mismatch";

/** The edit itself cannot be applied to this list, whatever the keys: a bug in the caller or a bad snapshot. */
export class ListEditError extends SessionError {
  override name = "ListEditError";
  constructor(
    message: string,
    override readonly code: ListEditErrorCode,
  ) {
    super(message, code);
  }
}

export type PrivateItemsErrorCode =
  /** Content is there but does not decrypt to a JSON array: writing would drop what it holds. */
  | "private-items-unreadable"
  /** Private items must be read or written and no crypto was given (read-only session). */
  | "private-items-no-crypto"
  /** Encrypting the new private items failed (signer refused, timed out, or is gone). */
  | "private-items-unwritable";

/** The private items of a list could not be read or written; nothing was built. */
export class PrivateItemsError extends SessionError {
  override name = "PrivateItemsError";
  constructor(
    message: string,
    override readonly code: PrivateItemsErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}

export type ListWriteErrorCode =
  /** No relay answered the read of the list's newest version (all down, or none within the fetch timeout): nothing was built. */
  | "write-no-relay"
  /** Every relay refused or timed out the new event; the session's copy was rolled back. The message says why. */
  | "write-refused"
  /** The relays answered with an older version than the session holds: building on it would undo a change. */
  | "write-stale-relay"
  /** The session cannot sign (read-only, locked, its signer away or failed): nothing was built. */
  | "write-cannot-sign"
  /** Other clients kept replacing the list while this write was rebased on their versions. */
  | "write-contended"
  /** The signer did not sign the new event (refused, timed out, or signed as someone else). */
  | "write-sign-failed"
  /** The session logged out, or the manager was destroyed, before the write settled. */
  | "write-cancelled"
  /** The caller's signal was aborted: it stopped waiting (the write itself goes on). */
  | "write-aborted";

/** A list write that did not happen, or did not reach any relay; `code` says which. */
export class ListWriteError extends SessionError {
  override name = "ListWriteError";
  constructor(
    message: string,
    override readonly code: ListWriteErrorCode | (string & {}),
  ) {
    super(message, code);
  }
}

const EDIT_CODES: ReadonlySet<string> = new Set<ListEditErrorCode>(["list-edit-invalid", "list-kind-unsupported", "list-private-unsupported", "list-base-mismatch"]);
const PRIVATE_CODES: ReadonlySet<string> = new Set<PrivateItemsErrorCode>(["private-items-unreadable", "private-items-no-crypto", "private-items-unwritable"]);

/** The typed error of a write's failure as a session recorded it (a code and a message, JSON). */
export function writeErrorOf(failure: { code: string; message: string }): SessionError {
  if (EDIT_CODES.has(failure.code)) return new ListEditError(failure.message, failure.code as ListEditErrorCode);
  if (PRIVATE_CODES.has(failure.code)) return new PrivateItemsError(failure.message, failure.code as PrivateItemsErrorCode);
  return new ListWriteError(failure.message, failure.code);
}
