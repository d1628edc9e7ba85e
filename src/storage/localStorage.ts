import { StorageError } from "../errors";
import type { SessionData } from "../facade/types";
import { StateStorage } from "./stateStorage";
import type { LegacyData } from "./types";

/** `localStorage`, if this environment has one (a sandboxed page may refuse even the lookup). */
function found(): Storage | undefined {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function area(): Storage {
  const storage = found();
  if (!storage) throw new StorageError("localStorage is not available here (use FileStorage on Node)");
  return storage;
}

/**
 * `window.localStorage`, every key under one prefix ("ndk-session-engine" by default). Also the
 * peer's `SessionStorage` (save / load / clear), over the same value; as the peer's, `load()` where
 * there is no localStorage gives nothing, while `save` and `clear` reject with a StorageError.
 */
export class LocalStorage extends StateStorage {
  constructor(private readonly prefix = "ndk-session-engine") {
    super();
  }

  override async load(): Promise<SessionData> {
    return found() ? super.load() : { sessions: new Map() };
  }

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
