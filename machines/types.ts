/**
 * Plain-JSON shapes shared by the machines and the effects that serve them.
 * Nothing here may hold a secret: context is persisted and inspected as is.
 */

export type Hexpubkey = string;

/** What kind of signer a session uses; never the signer's payload. */
export interface SignerDescriptor {
  /** NDK payload type ("private-key", "nip07", "nip46", …) or "read-only". */
  type: string;
}

export const READ_ONLY = "read-only";

/**
 * Which lists a session fetches and follows (the peer's `SessionStartOptions`, as data). It is the
 * app's configuration: the effects keep it, never a snapshot, so a restore applies the restoring
 * manager's plan.
 */
export interface FetchPlan {
  profile: boolean;
  follows: boolean;
  mutes: boolean;
  blockedRelays: boolean;
  relayList: boolean;
  wallet: boolean;
  /** Extra kinds: `follows: NDKKind[]`, `monitor`, `events`, `eventConstructors`. */
  kinds: number[];
}

/**
 * The newest verified event of one replaceable slot (kind, or kind + d-tag for addressable kinds),
 * already parsed by the effect that received it. `data` is JSON whose shape depends on the kind.
 */
export interface ListEntry<TData = unknown> {
  /** `"<kind>"`, or `"<kind>:<d-tag>"` for kinds 30000–39999. */
  key: string;
  kind: number;
  id: string;
  createdAt: number;
  data: TData;
  /**
   * Parsed while the session had no signer: the event's private (encrypted) items are not in `data`
   * yet. A refresh reads such an entry again once the session can sign.
   */
  partial?: true;
  /**
   * Signed by this session's own write, which no relay has taken yet. Never restored: after a
   * restart before a relay took it, the session would hold an edit no relay has, newer than theirs
   * (every later write would then be refused as built on a stale list). Cleared when the write succeeds.
   */
  pending?: true;
  /**
   * Integrity checksum of everything above (machines/checksum.ts), computed where the entry was made.
   * A stored entry whose sum does not hold (or that has none) was damaged at rest: a refresh asks
   * for it in full and puts the relays' copy in its place, even one with the same id.
   */
  sum?: string;
}

export type ListSlots = Record<string, ListEntry>;

/** What names a stored entry without its content: its slot, its event id and its second. */
export type EntryRef = Pick<ListEntry, "key" | "id" | "createdAt">;

/**
 * A stored entry the effects found damaged, as it was found: `key` is the slot that held it (the
 * slot may hold a newer entry by the time it is named).
 */
export type DamagedEntry = EntryRef;

/**
 * What a fetch of a session's lists brings: the newest entry of each slot the relays sent, and the
 * stored entries found damaged before it was asked for (they give way to the relays' copies, or are
 * dropped when the relays hold none).
 */
export interface FetchedLists {
  entries: ListEntry[];
  damaged?: DamagedEntry[];
}

/** Why an effect failed, as stored in context: a code to branch on and a message without secrets. */
export interface SessionFailure {
  code: string;
  message: string;
  /** Epoch milliseconds when the failure happened; retry deadlines count from here. */
  at: number;
}

/** Exponential backoff of automatic retries: the app's configuration, kept by the effects. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/** What the user chose for one session; kept in its context and stored. */
export interface SessionPreferences {
  walletEnabled?: boolean;
}

/** What a backoff timer waits for: the failure it follows and how many came before it. */
export interface BackoffInput {
  /** Consecutive failures, this one included (1 for the first). */
  attempt: number;
  /** Epoch ms of the failure (0 when unknown: the timer then counts from its own start). */
  since: number;
}

/**
 * A list edit as intent, not as a new array: "add this item", "remove that one" (src/lists/listEdit.ts
 * builds and checks them). Plain JSON, so a pending write can sit in a session's context.
 */
export interface ListEdit {
  /**
   * add: append the tag unless an item with its name and value is there (the existing tag, with
   * its extra fields, is kept). remove: drop every tag of that item. set: put this exact tag in
   * place of the item's first tag (dropping its duplicates), or append it when absent.
   */
  op: "add" | "remove" | "set";
  /** `[name, value, ...extra]`; identity is name + value (see src/lists/tagIdentity.ts). */
  tag: string[];
  /**
   * add/set: true puts the item among the encrypted private items, absent or false among the tags.
   * remove: true removes from the private items only, false from the tags only, absent from both —
   * an unmute must take effect wherever another client put the mute.
   */
  private?: boolean;
}

/** Which list: a replaceable kind, or an addressable kind with its `d` tag. */
export interface ListTarget {
  kind: number;
  /** Addressable kinds (30000–39999) only; absent means "" as in NIP-01. */
  d?: string;
}

export interface ListWrite extends ListTarget {
  edits: ListEdit[];
}

/** A signed event as relays hold it (NIP-01), in plain JSON. */
export interface RawListEvent {
  id: string;
  pubkey: string;
  created_at: number;
  kind: number;
  tags: string[][];
  content: string;
  sig: string;
}

/** How a list write ended: published (or nothing to change), or why not. */
export type WriteOutcome = { ok: true; changed: boolean; relays: string[] } | { ok: false; failure: SessionFailure };

/**
 * What one attempt of a list write came to, as its effect saw it (the session machine decides what
 * follows: another attempt, or how the write ends):
 * - `unchanged`: the list it was made on already holds the edit; nothing was published;
 * - `published`: relays took the new version (OK true), and it is the newest they hold (or none
 *   answered the check: that they took it is all that is known);
 * - `refused`: no relay took it (each one's reason in `refusals`); its stored copy was rolled back;
 * - `lost`: another client's version (`newest`: later, or the same second and a lower id) won over
 *   it meanwhile; `relays` took ours (none: its stored copy was rolled back to theirs).
 * `at` is when the attempt ended, for a failure it comes to.
 */
export type WriteAttempt =
  | { status: "unchanged" }
  | { status: "published"; relays: string[] }
  | { status: "refused"; refusals: string; at: number }
  | { status: "lost"; relays: string[]; newest: RawListEvent; at: number };
