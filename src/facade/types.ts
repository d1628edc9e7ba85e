/**
 * The public types of `@nostr-dev-kit/sessions` (1.0 and 0.6.3 shapes), so an app switches by
 * changing one import. Additions are marked.
 */
import type NDK from "@nostr-dev-kit/ndk";
import type { Hexpubkey, NDKEvent, NDKKind, NDKSigner, NDKSubscription, NDKUser, NDKUserProfile } from "@nostr-dev-kit/ndk";
import type { InspectionObserver } from "../engine";
import type { EngineTimeouts, RefreshOptions } from "../effects/configuration";
import type { RetryPolicy, SessionFailure, WriteRecord } from "../../machines";
import type { KeyValueStorage } from "../storage/types";
import type { SecretsPolicy } from "../secrets/sealing";
import type { IntakeOptions } from "../effects/intake";

export interface NDKEventConstructor {
  kinds: NDKKind[];
  from(event: NDKEvent): NDKEvent;
}

export type MonitorItem = NDKEventConstructor | NDKKind;

export interface SessionPreferences {
  walletEnabled?: boolean;
}

export interface SessionStartOptions {
  /** Kind 0. Added by this library; defaults to true. */
  profile?: boolean;
  /** Kind 3; an array of kinds also fetches and follows those kinds (0.6.3). */
  follows?: boolean | NDKKind[];
  /** Kind 10000, including private (encrypted) items and muted hashtags. */
  mutes?: boolean;
  /** Kind 10006 (NIP-51 blocked relays). */
  blockedRelays?: boolean;
  /** Kind 10002. */
  relayList?: boolean;
  /** Kinds 17375 and 10019. */
  wallet?: boolean;
  monitor?: MonitorItem[];
  /** 0.6.3: kinds to follow, each wrapped with its `from`. */
  events?: Map<NDKKind, { from(event: NDKEvent): NDKEvent }>;
  /** 0.6.3. */
  eventConstructors?: NDKEventConstructor[];
  /** Keep `ndk.muteFilter` on the active session's mutes (default true). */
  setMuteFilter?: boolean;
  /** Keep `ndk.relayConnectionFilter` on the active session's blocked relays (default true). */
  setRelayConnectionFilter?: boolean;
}

export interface LoginOptions extends SessionStartOptions {
  setActive?: boolean;
}

/** Options of `login()`: how to read the input, and whether the session becomes active. */
export interface LoginCallOptions extends IntakeOptions {
  setActive?: boolean;
}

export interface NostrConnectOptions extends Omit<LoginCallOptions, "untimed" | "as" | "passphrase"> {
  /** The relay both sides meet on. */
  relay: string;
  name?: string;
  url?: string;
  image?: string;
  /** NIP-46 permissions asked for, e.g. "sign_event:1,nip44_encrypt". */
  perms?: string;
}

export interface SerializedSession {
  pubkey: Hexpubkey;
  signerPayload?: string;
  /** Added: the signer's type, so a session whose secret was not stored restores as what it was. */
  signerType?: string;
  lastActive: number;
  preferences?: SessionPreferences;
}

export interface SessionData {
  sessions: Map<Hexpubkey, SerializedSession>;
  activePubkey?: Hexpubkey;
  /**
   * Added: the engine's full stored state (its envelope, as text), when the storage holds one, even
   * text that cannot be read (the engine decides what to do with it). Absent in a peer-only storage.
   */
  state?: string;
}

export interface SessionStorage {
  /**
   * `state` (added) is the engine's full envelope: the engine passes it, an app calling `save(map)`
   * does not (then only those accounts are kept, and their lists are fetched again on restore).
   */
  save(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey, state?: string): Promise<void>;
  load(): Promise<SessionData>;
  clear(): Promise<void>;
}

/**
 * What a session's lists are doing (its `lists` region). Added by this library. A session whose
 * signer is missing or locked still reads: its status is about reading, `signerState` about signing.
 * - `fetching`: a REQ for its lists is out · `ready`: loaded, live updates arrive
 * - `error`: no relay answered; retrying on a backoff (`failure` says why) · `idle`: stopSession()
 * - `stopped`: logged out or destroyed
 */
export type SessionStatus = "fetching" | "ready" | "error" | "idle" | "stopped";

/**
 * What a session's signer can do (its `signer` region). Added by this library.
 * - `restoring` (finding it) · `authenticating` (checking it answers for this pubkey)
 * - `ready` · `awaitingApproval` (a remote signer waits for its user) · `verifying` (an extension, looked at again)
 * - `locked` (NIP-49 key, unlock() to sign) · `retrying` (a remote signer away; backoff)
 * - `needsLogin` (no key kept, or the signer signed as someone else) · `extensionAway` (NIP-07 missing or on another account)
 * - `readOnly` (logged in with a pubkey alone)
 */
export type SignerState =
  | "restoring"
  | "authenticating"
  | "ready"
  | "awaitingApproval"
  | "verifying"
  | "locked"
  | "retrying"
  | "needsLogin"
  | "extensionAway"
  | "readOnly"
  | "stopped";

export interface NDKSession {
  pubkey: Hexpubkey;
  followSet?: ReadonlySet<Hexpubkey>;
  /** id → "p" | "e". */
  muteSet?: Map<string, string>;
  mutedWords?: Set<string>;
  /** Added by this library: muted `t` tags, lower-cased. */
  mutedHashtags?: Set<string>;
  blockedRelays?: Set<string>;
  relayList?: Map<string, { read: boolean; write: boolean }>;
  /** Added by this library: kind 0 content. */
  profile?: NDKUserProfile;
  /** Every other followed kind; addressable kinds are keyed `"<kind>:<d-tag>"`. */
  events: Map<NDKKind | string, NDKEvent | null>;
  subscriptions: NDKSubscription[];
  /** 0.6.3 alias of `subscriptions[0]`. */
  subscription?: NDKSubscription;
  lastActive: number;
  preferences?: SessionPreferences;
  /** Added by this library: what its lists are doing. */
  status: SessionStatus;
  /** Added by this library: what its signer can do. */
  signerState: SignerState;
  /** Added by this library: whether it can sign now (`signerState` is ready, awaitingApproval or verifying). */
  canSign: boolean;
  /** Added by this library: why something is wrong — the lists' failure when `status` is `error`, else the signer's. */
  failure?: SessionFailure;
  /** Added by this library: why the signer cannot sign (`retrying`, `needsLogin`, `extensionAway`). */
  signerFailure?: SessionFailure;
  /** Added by this library: a list write (follow, mute, …) is under way. */
  writing: boolean;
  /** Added by this library: list writes asked for and not settled yet, the one under way included. */
  pendingWrites: number;
  /** Added by this library: how the last list write ended (its list, and `{ ok, changed, relays }` or `{ ok: false, failure }`). */
  lastWrite?: WriteRecord;
}

export interface SessionState {
  ndk?: NDK;
  sessions: Map<Hexpubkey, NDKSession>;
  signers: Map<Hexpubkey, NDKSigner>;
  activePubkey?: Hexpubkey;
}

export interface SessionStoreActions {
  init(ndk: NDK): void;
  addSession(userOrSigner: NDKUser | NDKSigner, setActive: boolean): Promise<Hexpubkey>;
  startSession(pubkey: Hexpubkey, opts: SessionStartOptions): void;
  stopSession(pubkey: Hexpubkey): void;
  addMonitor(monitor: MonitorItem[]): void;
  switchToUser(pubkey: Hexpubkey | null): Promise<void>;
  removeSession(pubkey: Hexpubkey): void;
  updateSession(pubkey: Hexpubkey, data: Partial<NDKSession>): void;
  updatePreferences(pubkey: Hexpubkey, preferences: Partial<SessionPreferences>): void;
}

export type SessionStore = SessionState & SessionStoreActions;

export interface SessionManagerOptions {
  /**
   * Where sessions are kept: MemoryStorage, LocalStorage, FileStorage, LocalForageStorage or any
   * KeyValueStorage (the full snapshot, lists included), or a storage written for
   * `@nostr-dev-kit/sessions` (`save`/`load`/`clear`: accounts only, lists are refetched).
   */
  storage?: KeyValueStorage | SessionStorage;
  /** Default true (only with storage). */
  autoSave?: boolean;
  /** Default 500. */
  saveDebounceMs?: number;
  /** Lists fetched on login and restore. Without it: profile, follows, mutes, blocked relays, relay list. */
  fetches?: SessionStartOptions;
  /** Added: XState inspection observer(s), e.g. `createBrowserInspector().inspect` from @statelyai/inspect. */
  inspect?: InspectionObserver | InspectionObserver[];
  /** Added: bounded waits. */
  timeouts?: Partial<EngineTimeouts>;
  /** Added: backoff of automatic retries. */
  retry?: RetryPolicy;
  /**
   * Added: `tieWindowSec` (off by default) asks lists stored longer ago than that from the next
   * second, saving the bandwidth of sending them again at each refresh, at the cost of missing an
   * old same-second rival with a lower id (NIP-01's tie rule). Without it that second is always asked.
   */
  refresh?: RefreshOptions;
  /**
   * Added: keep the tabs of one origin in step (BroadcastChannel, or localStorage events). On by
   * default with LocalStorage and LocalForageStorage. `shareActive` (default true): a switch in one
   * tab switches the others too; false keeps the active account per tab.
   */
  syncTabs?: boolean | { channel?: string; shareActive?: boolean };
  /**
   * Added: a remote signer asks its user to approve a request (NIP-46 auth_url); open `url` for
   * them. The session meanwhile shows `signerState: "awaitingApproval"`.
   */
  onAuthUrl?: (url: string, pubkey: Hexpubkey) => void;
  /** Added: how signer secrets are kept at rest (NIP-49 passphrase and/or an AES-GCM key). */
  secrets?: SecretsPolicy;
  /**
   * Added, and unsafe: store private keys in plain text. Off by default; without it a persisted
   * private-key session restores read-only until the user logs in again.
   */
  unsafePersistPrivateKeys?: boolean;
}
