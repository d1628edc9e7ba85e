import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import type { SerializedSession, SessionData, SessionStorage } from "../facade/types";
import { envelopeOfRecords, sessionDataOf } from "../persistence/records";
import { STATE_KEY, type EngineStorage, type KeyValueStorage } from "./types";

/**
 * The peer's `SessionStorage` over a key-value storage, shared by every storage of this library:
 * one value, the engine's envelope under the state key, no second copy. The engine saves with its
 * full envelope as `state`; an app's `save(map, active)` stores just those accounts.
 */
export const sessionShape = {
  save(storage: KeyValueStorage, sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey, state?: string): Promise<void> {
    return storage.setItem(STATE_KEY, state ?? envelopeOfRecords(sessions, activePubkey));
  },
  async load(storage: KeyValueStorage): Promise<SessionData> {
    return sessionDataOf(await storage.getItem(STATE_KEY));
  },
  clear(storage: KeyValueStorage): Promise<void> {
    return storage.removeItem(STATE_KEY);
  },
};

/** Base of MemoryStorage, LocalStorage, FileStorage and LocalForageStorage: a key-value storage that is also the peer's. */
export abstract class StateStorage implements KeyValueStorage, SessionStorage {
  abstract getItem(key: string): Promise<string | null>;
  abstract setItem(key: string, value: string): Promise<void>;
  abstract removeItem(key: string): Promise<void>;
  abstract keys(): Promise<string[]>;

  /** The peer's save; `state` (added) is the engine's envelope. Without it, only these accounts are kept. */
  save(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey, state?: string): Promise<void> {
    return sessionShape.save(this, sessions, activePubkey, state);
  }

  /** The stored accounts as the peer's records, with `state`, the stored text (added). */
  load(): Promise<SessionData> {
    return sessionShape.load(this);
  }

  /** Removes the state (backups stay). */
  clear(): Promise<void> {
    return sessionShape.clear(this);
  }
}

const isSessionStorage = (storage: object): storage is SessionStorage =>
  ["save", "load", "clear"].every((method) => typeof (storage as Record<string, unknown>)[method] === "function");

/**
 * The storage as the engine uses it: as it is when it speaks the peer's shape (the storages of this
 * library, a storage written for `@nostr-dev-kit/sessions`), else an app's own key-value store
 * behind a small adapter. Every call is made on the app's object when it happens, so wrappers and
 * spies added later see it.
 */
export function engineStorageOf(storage: KeyValueStorage | SessionStorage): EngineStorage {
  if (isSessionStorage(storage)) return storage;
  const kv = storage;
  return {
    save: (sessions, activePubkey, state) => sessionShape.save(kv, sessions, activePubkey, state),
    load: () => sessionShape.load(kv),
    clear: () => sessionShape.clear(kv),
    getItem: (key) => kv.getItem(key),
    setItem: (key, value) => kv.setItem(key, value),
    removeItem: (key) => kv.removeItem(key),
    keys: () => kv.keys(),
    ...(kv.copy ? { copy: (from: string, to: string) => kv.copy!(from, to) } : {}),
    ...(kv.legacy ? { legacy: () => kv.legacy!() } : {}),
  };
}
