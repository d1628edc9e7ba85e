/**
 * The peer's lower-level exports (`createSessionStore`, `AuthManager`, `PersistenceManager`), for
 * apps that built on them. Each one is a thin shell over NDKSessionManager.
 */
import type NDK from "@nostr-dev-kit/ndk";
import type { Hexpubkey, NDKSigner, NDKUser } from "@nostr-dev-kit/ndk";
import { NDKNotInitializedError, NoActiveSessionError, StorageError } from "../errors";
import { NDKSessionManager } from "./NDKSessionManager";
import type { LoginOptions, SessionStorage, SessionStore } from "./types";

/** The subset of zustand's `StoreApi` the peer's consumers use. */
export interface StoreApi<T> {
  getState(): T;
  getInitialState(): T;
  setState(partial: Partial<T> | ((state: T) => Partial<T>), replace?: boolean): void;
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

/** A store whose actions work once `init(ndk)` has created the manager behind them. */
export function createSessionStore(): StoreApi<SessionStore> {
  let manager: NDKSessionManager | undefined;
  const listeners = new Set<(state: SessionStore, previous: SessionStore) => void>();
  const need = () => {
    if (!manager) throw new NDKNotInitializedError();
    return manager;
  };
  const initial: SessionStore = {
    sessions: new Map(),
    signers: new Map(),
    activePubkey: undefined,
    ndk: undefined,
    init(ndk: NDK) {
      manager ??= new NDKSessionManager(ndk);
      manager.subscribe(publish);
      publish(manager.getCurrentState());
    },
    addSession: (userOrSigner: NDKUser | NDKSigner, setActive: boolean) => need().login(userOrSigner, { setActive }),
    startSession: (pubkey, opts) => need().startSession(pubkey, opts),
    stopSession: (pubkey) => need().stopSession(pubkey),
    addMonitor: (monitor) => need().addMonitor(monitor),
    switchToUser: (pubkey) => need().switchTo(pubkey),
    removeSession: (pubkey) => need().logout(pubkey),
    updateSession: (pubkey, data) => need().updateSession(pubkey, data),
    updatePreferences: (pubkey, preferences) =>
      need().actor.send({ type: "session.preferences.set", pubkey, preferences }),
  };
  let state = initial;
  function publish(next: SessionStore) {
    const previous = state;
    state = { ...next, init: initial.init };
    for (const listener of listeners) listener(state, previous);
  }
  return {
    getState: () => state,
    getInitialState: () => initial,
    setState(partial, replace) {
      const patch = typeof partial === "function" ? partial(state) : partial;
      publish((replace ? patch : { ...state, ...patch }) as SessionStore);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export class AuthManager {
  constructor(
    _store: SessionStore,
    private readonly getStore: () => SessionStore,
  ) {}

  async login(userOrSigner: NDKUser | NDKSigner, options: LoginOptions = {}): Promise<Hexpubkey> {
    const { setActive = true, ...fetches } = options;
    const pubkey = await this.getStore().addSession(userOrSigner, setActive);
    if (Object.keys(fetches).length > 0) this.getStore().startSession(pubkey, fetches);
    return pubkey;
  }

  logout(pubkey?: Hexpubkey): void {
    const target = pubkey ?? this.getStore().activePubkey;
    if (!target) throw new NoActiveSessionError();
    this.getStore().removeSession(target);
  }

  switchTo(pubkey: Hexpubkey | null): Promise<void> {
    return this.getStore().switchToUser(pubkey);
  }
}

export class PersistenceManager {
  constructor(
    private readonly storage: SessionStorage | undefined,
    private readonly getStore: () => SessionStore,
  ) {}

  private need(): SessionStorage {
    if (!this.storage) throw new StorageError("No storage configured");
    return this.storage;
  }

  async persist(): Promise<void> {
    const { sessions, activePubkey } = this.getStore();
    const records = new Map([...sessions].map(([pubkey, s]) => [pubkey, { pubkey, lastActive: s.lastActive, preferences: s.preferences }]));
    await this.need().save(records, activePubkey);
  }

  async restore(): Promise<void> {
    const data = await this.need().load();
    const store = this.getStore();
    for (const record of data.sessions.values()) {
      if (!store.sessions.has(record.pubkey)) await store.addSession(store.ndk!.getUser({ pubkey: record.pubkey }), false);
    }
    if (data.activePubkey) await this.getStore().switchToUser(data.activePubkey);
  }

  async clear(): Promise<void> {
    await this.need().clear();
  }
}
