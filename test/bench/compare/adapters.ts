/**
 * One small adapter per library, so every figure runs the same code on both: the same NDK set-up,
 * the same `fetches`, `login(new NDKPrivateKeySigner(hex))`, and the same wait — the manager's own
 * `subscribe` callback until the condition holds (bounded). What differs is only here: each
 * library's MemoryStorage for restore, and how ours keeps keys at rest (sealed with an AES-GCM key;
 * the peer stores them in plain text) so that both bring their signers back.
 */
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { MemoryStorage as PeerMemoryStorage, NDKSessionManager as PeerManager } from "@nostr-dev-kit/sessions";
import { MemoryStorage as OurMemoryStorage, NDKSessionManager as OurManager, type SessionManagerOptions } from "../../../src";
import { generateSealingKey } from "../../../src/secrets/aesGcm";
import { connectedNdk, disconnect, type Account, type NDK } from "../fixtures";
import type { RelayThread } from "../relayThread";

export type Side = "ours" | "peer";

export const FETCHES = { follows: true, mutes: true, relayList: true, blockedRelays: true } as const;

/** What the figures use of a session and of a manager: the API both libraries share. */
export interface SessionLike {
  followSet?: ReadonlySet<string>;
}
export interface ManagerLike {
  login(signer: NDKPrivateKeySigner): Promise<string>;
  getSession(pubkey: string): SessionLike | undefined;
  subscribe(callback: () => void): () => void;
  switchTo(pubkey: string): Promise<void>;
  restore(): Promise<unknown>;
  persist(): Promise<void>;
  isReadOnly(pubkey?: string): boolean;
  destroy(): unknown;
}

export interface Library {
  side: Side;
  /** A manager on `ndk`; with `storage` (from storage()) it saves only on persist(). */
  manager(ndk: NDK, storage?: unknown): ManagerLike;
  storage(): unknown;
  /**
   * After restore: whether a session's lists came from the relay again. Ours shows its stored
   * lists at once and says `status: "ready"` once refreshed; the peer stores no lists, so a
   * follow set it holds was fetched.
   */
  refreshed(session: SessionLike): boolean;
}

/** `extra`: options of ours only (the peer has no such setting), for a variant row. */
export async function libraries(extra: Partial<SessionManagerOptions> = {}): Promise<Record<Side, Library>> {
  const key = await generateSealingKey();
  const ours: Library = {
    side: "ours",
    manager: (ndk, storage) =>
      new OurManager(ndk, storage ? { fetches: FETCHES, storage: storage as OurMemoryStorage, autoSave: false, secrets: { key }, ...extra } : { fetches: FETCHES, ...extra }),
    storage: () => new OurMemoryStorage(),
    refreshed: (session) => (session as { status?: string }).status === "ready",
  };
  const peer: Library = {
    side: "peer",
    manager: (ndk, storage) =>
      new PeerManager(ndk, storage ? { fetches: FETCHES, storage: storage as PeerMemoryStorage, autoSave: false } : { fetches: FETCHES }),
    storage: () => new PeerMemoryStorage(),
    refreshed: () => true,
  };
  return { ours, peer };
}

/** A new signer object from the account's hex key, as an app builds one at login. */
export const signerOf = (account: Account) => new NDKPrivateKeySigner(account.signer.privateKey);

export const hasFollows = (manager: ManagerLike, account: Account) => manager.getSession(account.pubkey)?.followSet?.size === account.follows;

/** Resolves once `check()` holds, looked at now and on each `subscribe` notification; rejects after `timeoutMs`. */
export function waitVia(manager: ManagerLike, check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const listener = () => {
      if (!settled && check()) finish();
    };
    unsubscribe = manager.subscribe(listener);
    if (settled) unsubscribe(); // a callback run during subscribe() already finished
    else listener();
  });
}

/** A fresh connected NDK (no other client left on the relay) and a manager; `done()` tears both down. */
export async function freshManager(relay: RelayThread, lib: Library, storage?: unknown) {
  await relay.idle();
  const ndk = await connectedNdk([relay.url]);
  const manager = lib.manager(ndk, storage);
  return {
    ndk,
    manager,
    async done() {
      await manager.destroy();
      disconnect(ndk);
    },
  };
}
