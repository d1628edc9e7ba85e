import { StorageError } from "../errors";
import type { KeyValueStorage, LegacyData } from "./types";

function area(): Storage {
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage) throw new StorageError("localStorage is not available here (use FileStorage on Node)");
  return storage;
}

/** `window.localStorage`, every key under one prefix ("ndk-session-engine" by default). */
export class LocalStorage implements KeyValueStorage {
  constructor(private readonly prefix = "ndk-session-engine") {}

  /** Tabs using this storage sync over a channel of this name. */
  get channelName(): string {
    return `local:${this.prefix}`;
  }

  private name(key: string): string {
    return `${this.prefix}:${key}`;
  }

  async getItem(key: string): Promise<string | null> {
    return area().getItem(this.name(key));
  }

  async setItem(key: string, value: string): Promise<void> {
    try {
      area().setItem(this.name(key), value);
    } catch (error) {
      throw error instanceof StorageError ? error : new StorageError(`localStorage refused the write (${(error as Error).name})`);
    }
  }

  async removeItem(key: string): Promise<void> {
    area().removeItem(this.name(key));
  }

  async keys(): Promise<string[]> {
    const storage = area();
    const found: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i);
      if (name?.startsWith(`${this.prefix}:`)) found.push(name.slice(this.prefix.length + 1));
    }
    return found;
  }

  async legacy(): Promise<LegacyData | undefined> {
    const storage = area();
    const data: LegacyData = {
      sessions: storage.getItem("ndk-sessions") ?? undefined,
      savedSessions: storage.getItem("ndk-saved-sessions") ?? undefined,
      activePubkey: storage.getItem("ndk-active-pubkey") ?? undefined,
    };
    return data.sessions || data.savedSessions ? data : undefined;
  }
}
