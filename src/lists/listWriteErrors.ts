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
