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

/** Which lists a session fetches and follows (the peer's `SessionStartOptions`, as data). */
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
}

export type ListSlots = Record<string, ListEntry>;

/** Why an effect failed, as stored in context: a code to branch on and a message without secrets. */
export interface SessionFailure {
  code: string;
  message: string;
  /** Epoch milliseconds when the failure happened; retry deadlines count from here. */
  at: number;
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

export interface SessionPreferences {
  walletEnabled?: boolean;
}
