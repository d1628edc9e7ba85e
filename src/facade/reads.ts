import type NDK from "@nostr-dev-kit/ndk";
import type { Hexpubkey, NDKUser } from "@nostr-dev-kit/ndk";
import type { ManagerActor } from "../engine";
import type { StorageError } from "../errors";
import type { Assembly } from "./assemble";
import type { ReadableSessionStore, Selection } from "./readModel";
import type { NDKSession, SessionState, SessionStore, SessionStoreActions } from "./types";

/**
 * The reading half of the drop-in face: every read is a view of the read model, which the actor
 * system's inspection events keep current. (The commands are in NDKSessionManager.)
 */
export abstract class SessionReads {
  private storeValue: { state: SessionState; value: SessionStore } | undefined;
  /** The peer's store actions, for code that calls them on the state object. */
  protected abstract readonly storeActions: SessionStoreActions;

  protected constructor(
    readonly ndk: NDK,
    protected readonly parts: Assembly,
  ) {}

  /** The manager actor: send it events, inspect it, embed it. */
  get actor(): ManagerActor {
    return this.parts.engine.actor;
  }

  /** The read model: an `@xstate/store` atom fed by the actor system's inspection events; read it, select from it. */
  get store(): ReadableSessionStore {
    return this.parts.readModel.store;
  }

  getCurrentState(): SessionStore {
    const state = this.parts.readModel.state();
    if (this.storeValue?.state !== state) this.storeValue = { state, value: { ...state, ...this.storeActions } };
    return this.storeValue.value;
  }

  getSessions(): Map<Hexpubkey, NDKSession> {
    return this.parts.readModel.state().sessions;
  }

  getSession(pubkey: Hexpubkey): NDKSession | undefined {
    return this.parts.readModel.session(pubkey);
  }

  get activePubkey(): Hexpubkey | undefined {
    return this.parts.readModel.state().activePubkey;
  }

  get activeSession(): NDKSession | undefined {
    const pubkey = this.activePubkey;
    return pubkey ? this.getSession(pubkey) : undefined;
  }

  /** The active account's NDKUser, with its `profile` the session's (kind 0, or the app's own edit). */
  get activeUser(): NDKUser | undefined {
    const pubkey = this.activePubkey;
    if (!pubkey) return undefined;
    const user = this.parts.engine.runtime.users.of(pubkey);
    const profile = this.getSession(pubkey)?.profile;
    if (profile && user.profile !== profile) user.profile = profile;
    return user;
  }

  /** Whether the session has no signer now (read-only login, locked key, signer not restored). */
  isReadOnly(pubkey: Hexpubkey | undefined = this.activePubkey): boolean {
    return !pubkey || !this.parts.readModel.state().signers.has(pubkey);
  }

  /** The session's own choice, else the app's `fetches.wallet`; false without such a session. */
  isWalletEnabled(pubkey: Hexpubkey | undefined = this.activePubkey): boolean {
    const session = pubkey ? this.getSession(pubkey) : undefined;
    return session ? (session.preferences?.walletEnabled ?? this.parts.plan.wallet) : false;
  }

  /** A slice of the state that notifies only when it changes, e.g. `select((s) => s.sessions.get(pk)?.followSet?.size)`. */
  select<T>(selector: (state: SessionState) => T, isEqual?: (a: T, b: T) => boolean): Selection<T> {
    return this.parts.readModel.select(selector, isEqual);
  }

  subscribe(callback: (state: SessionStore) => void): () => void {
    return this.parts.readModel.subscribe(() => callback(this.getCurrentState()));
  }

  /** The latest storage problem, for the app to show: data restore() could not use, or a save that failed. */
  get storageError(): StorageError | undefined {
    return this.parts.persistence?.lastError;
  }
}
