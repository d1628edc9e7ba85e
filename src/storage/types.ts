import type { SessionStorage } from "../facade/types";

/**
 * Where the engine keeps its text: a few named values. The engine writes one value per key with
 * `setItem` (never two at once), reads it back with `getItem`, and copies unreadable data to a
 * `backup:` key before it writes anything else. Methods may reject; the engine reports a
 * StorageError and keeps running.
 */
export interface KeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  /** The keys this storage holds (backups included), for clear() and tests. */
  keys(): Promise<string[]>;
  /** Copies a value exactly (bytes, not text) where `getItem` could alter it; used for backups. */
  copy?(from: string, to: string): Promise<void>;
  /**
   * What `@nostr-dev-kit/sessions` (or the older NDK React hooks) left in the same place, if this
   * kind of storage can see it: imported once, when the engine's own key is empty.
   */
  legacy?(): Promise<LegacyData | undefined>;
}

/** Raw values written by the peer libraries, as found. */
export interface LegacyData {
  /** `@nostr-dev-kit/sessions`: localStorage "ndk-sessions" or the ".ndk-sessions.json" file. */
  sessions?: string;
  /** NDK React hooks: localStorage "ndk-saved-sessions" and "ndk-active-pubkey". */
  savedSessions?: string;
  activePubkey?: string;
}

/** The engine's keys. */
export const STATE_KEY = "state";
export const backupKey = (reason: string, at = Date.now()) => `backup:${new Date(at).toISOString()}:${reason}`;

/**
 * What the engine reads and writes through: the peer's `SessionStorage` (its `save` carries the
 * envelope as `state`, its `load` returns it), plus the key-value methods where the storage has
 * them, for backups of unreadable bytes and the legacy import.
 */
export type EngineStorage = SessionStorage & Partial<KeyValueStorage>;
