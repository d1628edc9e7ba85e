import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner, NDKUser } from "@nostr-dev-kit/ndk";
import type { Hexpubkey } from "../../machines";
import type { RelayHub } from "./relayHub";
import type { Gate } from "./gate";
import type { FetchBatcher } from "./fetchBatch";
import type { SealedSecret } from "../secrets/sealing";

/** What a session's signer tells its session, through the manager. */
export type SignerNews = { type: "fault"; code: string; message: string; at: number } | { type: "approval"; url: string | null };

export interface EngineTimeouts {
  /** Longest wait for `signer.user()` (and a private mute list's decryption). */
  signerMs: number;
  /** Longest wait for a login's list fetch to reach EOSE. */
  fetchMs: number;
}

export interface NdkWiringOptions {
  /** Keep `ndk.muteFilter` on the active session's mute list (default true). */
  setMuteFilter: boolean;
  /** Keep `ndk.relayConnectionFilter` on the active session's blocked relays (default true). */
  setRelayConnectionFilter: boolean;
}

/**
 * What the effects share and the machines never see: NDK, live signer objects and the relay hub.
 * Keyed by pubkey, the same key the machines use.
 */
export interface EngineRuntime {
  readonly ndk: NDK;
  readonly signers: Map<Hexpubkey, NDKSigner>;
  /** Signer payloads read from storage, kept in memory until `restoreSigner` rebuilds the signer. */
  readonly vault: Map<Hexpubkey, string>;
  /** Each session's secret as it is kept at rest (NIP-49 or AES-GCM); never plain text. */
  readonly sealed: Map<Hexpubkey, SealedSecret>;
  readonly hub: RelayHub;
  readonly fetchGate: Gate;
  readonly fetchBatcher: FetchBatcher;
  readonly timeouts: EngineTimeouts;
  readonly wiring: NdkWiringOptions;
  /** One NDKUser per pubkey, so switching allocates nothing. */
  userOf(pubkey: Hexpubkey): NDKUser;
  /** The session's signer behind its call gate (what `ndk.signer` is for the active session). */
  sessionSigner(pubkey: Hexpubkey): NDKSigner | undefined;
  /** Where signer faults and approval prompts go (the manager actor, once it exists). */
  report: (pubkey: Hexpubkey, news: SignerNews) => void;
}
