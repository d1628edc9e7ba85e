import type { EntryRef, Hexpubkey, ListEntry, ListSlots, ListTarget, ListWrite, RawListEvent, SessionFailure, SessionPreferences, SignerDescriptor, WriteAttempt, WriteOutcome } from "./types";
import type { QueuedWrite, WriteRecord } from "./writes";

/** The session machine's input, context and events: plain JSON, nothing secret (all of it is persisted and inspected). */

/** What a session starts with: a login's signer type, or what a restore found in storage. */
export interface SessionInput {
  pubkey: Hexpubkey;
  signer: SignerDescriptor;
  preferences?: SessionPreferences;
  /** Last-known lists (a restore, another tab): shown at once, refreshed from relays. */
  lists?: ListSlots;
  /** A restored session that was stopped stays stopped. */
  stopped?: boolean;
  /** A restored session whose lists were backing off keeps its deadline (derived from these). */
  listsFailure?: SessionFailure | null;
  listsAttempt?: number;
}

export interface SessionContext {
  pubkey: Hexpubkey;
  signer: SignerDescriptor;
  preferences: SessionPreferences;
  /** Newest verified list per slot; survives failures and restores (last-known lists). */
  lists: ListSlots;
  /** Why the signer region cannot sign (null when it can, or is finding out). */
  signerFailure: SessionFailure | null;
  /** Consecutive signer failures since it was last ready: the backoff's exponent. */
  signerAttempt: number;
  /** Why the lists region is retrying (null once a fetch succeeds). */
  listsFailure: SessionFailure | null;
  listsAttempt: number;
  /** Where the user approves the pending request of a remote signer (NIP-46 auth_url). */
  approvalUrl: string | null;
  /** List writes asked for and not settled, the one under way first. */
  writeQueue: QueuedWrite[];
  /** How the last write (or the last refused one) ended. */
  lastWrite: WriteRecord | null;
}

export type SessionEvent =
  /** Try again now whatever is backing off or waits for the user (signer, lists, or both). */
  | { type: "session.retry" }
  /** Fetch the lists again now. */
  | { type: "session.refresh" }
  /** A new login of the same pubkey: its signer is in the keyring. */
  | { type: "session.reauthenticate"; signer: SignerDescriptor }
  /** The key was unlocked (its signer is in the keyring): sign in with it. */
  | { type: "session.unlock" }
  /** The key was forgotten: signing is unavailable until the next unlock. */
  | { type: "session.lock" }
  /** Look again at a signer that was away (the page regained focus: an extension may be back). */
  | { type: "signer.recheck" }
  /** The signer returned a signature that is not this session's, or stopped answering (from the manager's signer news). */
  | { type: "session.fault"; failure: SessionFailure }
  /** The remote signer waits for its user at `url` (NIP-46 auth_url), or answered (`null`). */
  | { type: "session.approval"; url: string | null }
  /** Lists again with the app's current plan (after startSession changed it), or after a stop. */
  | { type: "session.start" }
  | { type: "session.stop" }
  | { type: "session.preferences.set"; preferences: SessionPreferences }
  /** The app follows more kinds (addMonitor). */
  | { type: "session.monitor" }
  | { type: "list.received"; entries: ListEntry[] }
  /** The app edited the session's lists itself (updateSession): stored at once, until a newer event arrives. */
  | { type: "session.update"; entries: ListEntry[] }
  /** Raised by the signer region when it can sign again: lists read without it are read again. */
  | { type: "signer.ready" }
  /** Edit one of the session's lists (follow, mute, …): `requestId` names the caller waiting for the outcome. */
  | { type: "list.write"; write: ListWrite; requestId: string }
  /** From the write under way: its signed event (at once, before relays answer), or the relays' newer one. */
  | { type: "write.stored"; entries: ListEntry[] }
  /** From the write under way: no relay took it; the slot goes back to `previous` if it still holds `id`. */
  | { type: "write.rolledBack"; key: string; id: string; previous: ListEntry | null }
  /** From the write under way: what its attempt came to; the region decides whether it tries again or how it ends. */
  | ({ type: "write.attempted" } & WriteAttempt)
  /** The write under way ended: raised by the region once it decided, or sent by its attempt when that failed (its signer, …). */
  | { type: "write.settled"; outcome: WriteOutcome };

/** Sent to the parent (the manager) whenever the signer region settles: NDK must follow if active. */
export interface SignerChangedEvent {
  type: "session.signer.changed";
  pubkey: Hexpubkey;
}

export interface ListsInput {
  pubkey: Hexpubkey;
  /** The user's wallet preference; which kinds that means is the app's plan (effects). */
  walletEnabled?: boolean;
  /** The lists already stored: a refresh asks only for newer ones, and skips any it finds again. */
  known?: EntryRef[];
}

/** What a list write reads first: the relays' newest version of one list of the session's user. */
export interface ReadListInput extends ListTarget {
  pubkey: Hexpubkey;
}

export interface ReadListOutput {
  /** The newest verified version the relays hold; null when they answered and hold none. */
  event: RawListEvent | null;
}

/** One attempt of a list write: `write` applied on `base` (the relays' newest version, or the version of another client that won over the last attempt). */
export interface PublishListInput {
  pubkey: Hexpubkey;
  write: ListWrite;
  base: RawListEvent | null;
  /** The user's wallet preference: which lists the session reads (and so stores) is the app's plan (effects). */
  walletEnabled?: boolean;
  /** Which write this is (its first request id): what it encrypted is remembered, effect-side, across its attempts. */
  writeId: string;
  /** 1 for the write's first attempt; one more for each attempt made again on another client's version. */
  attempt: number;
  /** A relay took an earlier attempt's version: an attempt that finds the edit already made still changed the list. */
  taken: boolean;
}
